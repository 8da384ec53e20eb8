import { describe, expect, it } from 'vitest'
import { parseRetryAfter, TuskUploadError, type UploadErrorCode } from '../src/core/errors.js'
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelay } from '../src/core/retry.js'

const error = (code: UploadErrorCode, retryAfterMs?: number) =>
  new TuskUploadError({ code, message: code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) })

describe('retry policy', () => {
  it('retries network errors, 5xx, 423 and 429', () => {
    for (const code of ['network', 'server', 'locked', 'rate_limited'] as const)
      expect(isRetryable(error(code))).toBe(true)
  })

  it('retries 409 and 460, whose remedy is the HEAD every retry starts with', () => {
    expect(isRetryable(error('offset_mismatch'))).toBe(true)
    expect(isRetryable(error('checksum_mismatch'))).toBe(true)
  })

  it('never retries other 4xx or local failures', () => {
    for (const code of [
      'unauthorized',
      'forbidden',
      'not_found',
      'too_large',
      'http',
      'source',
      'aborted',
    ] as const) {
      expect(isRetryable(error(code))).toBe(false)
      expect(retryDelay(DEFAULT_RETRY_POLICY, 0, error(code))).toBeNull()
    }
  })

  it('grows the delay exponentially up to the cap', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0, baseDelayMs: 100, factor: 2, maxDelayMs: 1000 }
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => retryDelay(policy, attempt, error('network')))
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('spreads delays with jitter within [delay × (1 − jitter), delay]', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0.5, baseDelayMs: 1000 }
    expect(retryDelay(policy, 0, error('server'), () => 0)).toBe(1000)
    expect(retryDelay(policy, 0, error('server'), () => 0.999999)).toBe(500)
    const seen = new Set(Array.from({ length: 50 }, () => retryDelay(policy, 0, error('server'))))
    expect(seen.size).toBeGreaterThan(1)
  })

  it("honours the server's Retry-After over the computed backoff, capped", () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 0, error('rate_limited', 3000))).toBe(3000)
    expect(
      retryDelay({ ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 5000 }, 0, error('rate_limited', 60_000)),
    ).toBe(5000)
  })

  it('retries a server never reached only while the next attempt starts within unreachedBudgetMs', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0, baseDelayMs: 1000, factor: 2 }
    const unreached = (elapsedMs: number) => ({ reached: false, elapsedMs })
    expect(retryDelay(policy, 0, error('network'), Math.random, unreached(0))).toBe(1000)
    expect(retryDelay(policy, 3, error('network'), Math.random, unreached(17_000))).toBe(8000)
    expect(retryDelay(policy, 4, error('network'), Math.random, unreached(10_000))).toBeNull() // 10 + 16 > 25 s
    expect(retryDelay(policy, 4, error('network'), Math.random, { reached: true, elapsedMs: 15_000 })).toBe(
      16_000,
    )
  })

  it('does not retry a network failure that another attempt cannot mend', () => {
    const tls = new TuskUploadError({
      code: 'network',
      message: 'tls',
      networkFailure: 'tls',
      transient: false,
    })
    expect(isRetryable(tls)).toBe(false)
    const refused = new TuskUploadError({
      code: 'network',
      message: 'refused',
      networkFailure: 'refused',
      transient: true,
    })
    expect(isRetryable(refused)).toBe(true)
  })

  it('gives up after maxRetries', () => {
    expect(retryDelay({ ...DEFAULT_RETRY_POLICY, maxRetries: 2 }, 2, error('network'))).toBeNull()
  })

  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000)
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})
