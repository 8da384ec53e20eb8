import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { toTuskError } from '../src/protocol/respond.js'
import { createUpload, patch, startTestServer } from './helpers.js'

function captureLogger() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, sink), lines }
}

describe('logs', async () => {
  const { logger, lines } = captureLogger()
  const server = await startTestServer({ logLevel: 'info' }, { logger })

  it('writes one structured line per request with id, method, path, status, bytes, duration and upload id', async () => {
    const url = await createUpload(server.url, 5)
    await patch(url, 0, Buffer.from('hello'))
    await new Promise((r) => setTimeout(r, 50))
    const requests = lines.filter((l) => l.msg === 'request')
    const create = requests.find((l) => l.method === 'POST')
    const write = requests.find((l) => l.method === 'PATCH')
    const id = url.split('/').pop()
    expect(create).toMatchObject({ status: 201, path: '/files', uploadId: id })
    expect(write).toMatchObject({ status: 204, path: `/files/${id}`, uploadId: id })
    for (const line of [create, write]) {
      expect(line?.reqId).toEqual(expect.any(String))
      expect(line?.ms).toEqual(expect.any(Number))
      expect(line?.bytesIn).toEqual(expect.any(Number))
      expect(line?.bytesOut).toBeGreaterThan(0)
    }
    expect(write?.bytesIn).toBeGreaterThanOrEqual(5)
  })

  it('logs an unexpected error with its cause and answers a generic message that leaks nothing', () => {
    const secret = new Error('EACCES: open /srv/secret/path')
    const answer = toTuskError(secret, logger, { method: 'PATCH', url: '/files/x' })
    expect(answer.status).toBe(500)
    expect(answer.message).toBe('internal server error')
    const logged = lines.find((l) => l.msg === 'unexpected error while handling a request')
    expect(JSON.stringify(logged)).toContain('/srv/secret/path')
  })
})
