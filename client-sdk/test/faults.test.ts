import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { MemoryUrlStorage, type RetryEvent, upload } from '../src/index.node.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { randomFile, sha256File, sha256Remote, tempDir } from './helpers/files.js'
import { announced } from './helpers/tusk-server.js'

let tusk: TestTusk
let proxy: FaultProxy
let dir: Awaited<ReturnType<typeof tempDir>>
let file: string
const SIZE = 4 * 1024 * 1024
const CHUNK = 1024 * 1024

beforeAll(async () => {
  tusk = await startTusk()
  dir = await tempDir()
  file = await randomFile(join(dir.path, 'four.bin'), SIZE)
})
afterAll(async () => {
  await tusk?.close()
  await dir?.remove()
})
beforeEach(async () => {
  proxy = await FaultProxy.start(tusk.url)
})
afterEach(async () => {
  await proxy.close()
})

const opts = () => ({
  endpoint: proxy.endpoint,
  urlStorage: new MemoryUrlStorage(),
  chunkSize: CHUNK,
  retry: { baseDelayMs: 20, jitter: 0.5 },
})

describe('retries through a fault-injecting proxy', () => {
  it('survives connection resets, 5xx and 423 and stores identical bytes', async () => {
    proxy.inject('PATCH', { kind: 'reset', afterBytes: 300_000 })
    proxy.inject('PATCH', { kind: 'status', status: 503, body: 'maintenance' })
    proxy.inject('HEAD', { kind: 'status', status: 423, body: 'locked' })
    proxy.inject('PATCH', { kind: 'status', status: 500 })
    const handle = upload(file, opts())
    const retries: RetryEvent[] = []
    handle.on('retry', (event) => retries.push(event))
    const result = await handle.start().done
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(new URL(result.url).origin).toBe(new URL(proxy.endpoint).origin)
    // The order depends on which request comes next (the reset is followed by a HEAD): compare sets.
    expect(retries.map((r) => r.error.code).sort()).toEqual(['locked', 'network', 'server', 'server'])
    expect(retries.find((r) => r.error.status === 503)?.error.serverMessage).toBe('maintenance')
    expect(await sha256Remote(result.url)).toBe(await sha256File(file))
    // The reset chunk resumes at the server's offset: at most the faulted chunks are resent.
    expect(proxy.bodyBytes).toBeLessThan(SIZE + 3 * CHUNK)
  })

  it('a chunk corrupted in transit is rejected by its checksum (460) and sent again', async () => {
    const caps = await announced(tusk.url)
    expect(caps.extensions).toContain('checksum')
    proxy.inject('PATCH', { kind: 'corrupt', atByte: 1000 })
    const handle = upload(file, { ...opts(), checksum: 'sha256', creationWithUpload: false })
    const retries: RetryEvent[] = []
    handle.on('retry', (event) => retries.push(event))
    const result = await handle.start().done
    expect(result.ok && result.plan.checksum).toBe('sha256')
    expect(retries.map((r) => [r.error.code, r.error.status])).toEqual([['checksum_mismatch', 460]])
    expect(result.ok && (await sha256Remote(result.url))).toBe(await sha256File(file))
  })

  it('honours Retry-After on 429 before trying again', async () => {
    proxy.inject('PATCH', { kind: 'status', status: 429, headers: { 'Retry-After': '1' } })
    const handle = upload(file, opts())
    const delays: number[] = []
    handle.on('retry', (event) => delays.push(event.delayMs))
    const started = Date.now()
    const result = await handle.start().done
    expect(result.ok).toBe(true)
    expect(delays).toEqual([1000])
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
  })

  it('does not retry a 4xx other than 409/423/429/460', async () => {
    proxy.inject('POST', { kind: 'status', status: 403, body: 'not allowed here' })
    const result = await upload(file, opts()).start().done
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toMatchObject({ code: 'forbidden', status: 403, serverMessage: 'not allowed here' })
    expect(proxy.count('POST')).toBe(1)
  })

  it('gives up with a network error after the retries are used', async () => {
    proxy.inject('POST', { kind: 'reset', afterBytes: 0 }, 10)
    const result = await upload(file, { ...opts(), retry: { baseDelayMs: 5, maxRetries: 2 } }).start().done
    expect(!result.ok && result.error.code).toBe('network')
    expect(proxy.count('POST')).toBe(3)
  })
})

describe('auth token provider', () => {
  /** A gateway whose tokens expire after two requests: only a provider asked per request keeps up. */
  function expiringTokens() {
    const uses = new Map<string, number>()
    let rejected = 0
    proxy.gate = (req) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      const used = token ? (uses.get(token) ?? 0) : Number.POSITIVE_INFINITY
      if (!token || used >= 2) {
        rejected++
        return { status: 401, body: 'token expired' }
      }
      uses.set(token, used + 1)
      return null
    }
    return { uses, rejected: () => rejected }
  }

  it('is called before each request, so expiring tokens are refreshed in time', async () => {
    const gate = expiringTokens()
    let issued = 0
    let cached: { token: string; uses: number } | null = null
    const getToken = async () => {
      // A typical client-side cache: reuse a token until it is about to expire.
      if (!cached || cached.uses >= 2) cached = { token: `token-${++issued}`, uses: 0 }
      cached.uses++
      return cached.token
    }
    const result = await upload(file, { ...opts(), getToken }).start().done
    expect(result.ok).toBe(true)
    expect(gate.rejected()).toBe(0)
    expect(issued).toBeGreaterThanOrEqual(3)
    expect(proxy.requests.every((r) => r.headers.authorization?.startsWith('Bearer token-'))).toBe(true)
  })

  it('without a provider, an expired static token fails with unauthorized (401), not retried', async () => {
    const gate = expiringTokens()
    const result = await upload(file, { ...opts(), headers: { Authorization: 'Bearer static' } }).start().done
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toMatchObject({ code: 'unauthorized', status: 401, serverMessage: 'token expired' })
    expect(proxy.requests.map((r) => r.status)).toEqual([204, 201, 401])
    expect(gate.rejected()).toBe(1)
  })
})
