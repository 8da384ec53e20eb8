import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { ERR } from '../src/errors.js'
import { offsetReadFailure, toTuskError } from '../src/failures.js'

// Unit test: thrown values become answers a client can act on (failures.ts).
const logger = pino({ level: 'silent' })
const errno = (code: string, syscall = 'connect') =>
  Object.assign(new Error(`${syscall} ${code}`), { code, syscall })

describe('backend faults', () => {
  it('a full disk or quota is 507, an unreachable backend 503 with Retry-After', () => {
    expect(toTuskError(errno('ENOSPC', 'write'), logger)).toMatchObject({
      status: 507,
      code: 'ERR_STORAGE_FULL',
    })
    expect(toTuskError(errno('EDQUOT', 'write'), logger).status).toBe(507)
    const down = toTuskError(errno('ECONNREFUSED'), logger)
    expect(down).toMatchObject({ status: 503, code: 'ERR_STORE_UNAVAILABLE' })
    expect(down.headers['Retry-After']).toBeDefined()
    const s3Fault = Object.assign(new Error('SlowDown'), { $metadata: { httpStatusCode: 503 } })
    expect(toTuskError(s3Fault, logger).status).toBe(503)
  })

  it('an offset read during a backend fault is 423 with Retry-After (tus clients retry it and keep the upload), whatever threw it', () => {
    // A raw S3 client error (S3 killed: connection refused), not yet a TuskError.
    const raw = offsetReadFailure(errno('ECONNREFUSED'), logger)
    expect(raw).toMatchObject({ status: 423, code: 'ERR_RETRY_LATER' })
    expect(raw.headers['Retry-After']).toBeDefined()
    // Redis unreachable (the locker's own 503).
    expect(
      offsetReadFailure(ERR.UNAVAILABLE('Redis', { headers: { 'Retry-After': '2' } }), logger).status,
    ).toBe(423)
    // Not a backend fault: unchanged.
    expect(offsetReadFailure(ERR.NOT_FOUND(), logger).status).toBe(404)
  })
})
