import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { until } from '../../test-support/until.js'
import { MemoryUrlStorage, type UploadOptions, upload } from '../src/index.node.js'
import { type FakeExchange, fakeTusServer } from './helpers/fake-transport.js'

const FULL = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'checksum',
  'concatenation',
]
const fast = { baseDelayMs: 1, jitter: 0 }

function options(stack: ReturnType<typeof fakeTusServer>, extra: Partial<UploadOptions> = {}): UploadOptions {
  return {
    endpoint: stack.endpoint,
    httpStack: stack.stack,
    urlStorage: new MemoryUrlStorage(),
    retry: fast,
    ...extra,
  }
}

const base64Sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64')

describe('SDK against a scripted transport', () => {
  it('sends per-chunk Upload-Checksum when the server announces the algorithm', async () => {
    const server = fakeTusServer({ extensions: FULL, checksums: ['sha1', 'sha256'] })
    const data = randomBytes(2500)
    const result = await upload(data, options(server, { checksum: 'sha256', chunkSize: 1000 })).start().done
    expect(result.ok && result.plan.checksum).toBe('sha256')
    const bodies = server.stack.exchanges.filter((e) => e.body && e.body.length > 0)
    expect(bodies.length).toBe(3)
    for (const exchange of bodies) {
      expect(exchange.headers['Upload-Checksum']).toBe(`sha256 ${base64Sha256(exchange.body as Buffer)}`)
    }
  })

  it('sends no checksum header when the server does not announce the checksum extension', async () => {
    const server = fakeTusServer({ extensions: ['creation', 'creation-with-upload'] })
    const result = await upload(
      randomBytes(3000),
      options(server, { checksum: 'sha256', chunkSize: 1000 }),
    ).start().done
    expect(result.ok && result.plan.checksum).toBeNull()
    expect(server.stack.exchanges.some((e) => 'Upload-Checksum' in e.headers)).toBe(false)
  })

  it('uses creation-with-upload when announced: the first chunk rides on the POST', async () => {
    const server = fakeTusServer({ extensions: FULL })
    const result = await upload(randomBytes(1500), options(server, { chunkSize: 1000 })).start().done
    expect(result.ok).toBe(true)
    expect(server.stack.of('POST')[0]?.body?.length).toBe(1000)
    expect(server.stack.of('PATCH').map((e) => e.body?.length)).toEqual([500])
  })

  it('falls back to creation + PATCH when OPTIONS is not answered with tus headers', async () => {
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => (e.method === 'OPTIONS' ? { status: 404 } : undefined),
    })
    const data = randomBytes(1500)
    const result = await upload(data, options(server, { checksum: 'sha256', parallelUploads: 3 })).start()
      .done
    expect(result.ok && result.plan).toMatchObject({
      checksum: null,
      parallelUploads: 1,
      creationWithUpload: false,
    })
    expect(server.stack.of('POST')[0]?.body).toBeNull()
    expect(Buffer.concat(server.stack.of('PATCH').map((e) => e.body as Buffer)).equals(data)).toBe(true)
  })

  it('falls back to the core protocol when OPTIONS gets no answer at all (as when CORS blocks it)', async () => {
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => (e.method === 'OPTIONS' ? { networkError: 'blocked' } : undefined),
    })
    const result = await upload(randomBytes(100), options(server)).start().done
    expect(result.ok && result.plan.creationWithUpload).toBe(false)
    expect(server.stack.of('OPTIONS')).toHaveLength(1)
  })

  it('splits into partial uploads and concatenates them when concatenation is announced', async () => {
    const server = fakeTusServer({ extensions: FULL })
    const data = randomBytes(4000)
    const result = await upload(data, options(server, { parallelUploads: 2 })).start().done
    expect(result.ok && result.plan.parallelUploads).toBe(2)
    const posts = server.stack.of('POST')
    expect(posts.filter((p) => p.headers['Upload-Concat'] === 'partial')).toHaveLength(2)
    const final = posts.find((p) => p.headers['Upload-Concat']?.startsWith('final;'))
    expect(final).toBeDefined()
    expect(result.ok && server.uploads.get(result.url)?.data.equals(data)).toBe(true)
  })

  it('makes a single upload when concatenation is not announced', async () => {
    const server = fakeTusServer({ extensions: ['creation', 'creation-with-upload'] })
    const result = await upload(randomBytes(4000), options(server, { parallelUploads: 4 })).start().done
    expect(result.ok && result.plan.parallelUploads).toBe(1)
    expect(server.stack.exchanges.some((e) => 'Upload-Concat' in e.headers)).toBe(false)
  })

  it('defers the length of a stream of unknown size and declares it with the last chunk', async () => {
    const server = fakeTusServer({ extensions: FULL })
    const data = randomBytes(2500)
    const result = await upload(
      Readable.from([data.subarray(0, 700), data.subarray(700)]),
      options(server, { chunkSize: 1000 }),
    ).start().done
    expect(result.ok && result.size).toBe(2500)
    expect(server.stack.of('POST')[0]?.headers['Upload-Defer-Length']).toBe('1')
    const patches = server.stack.of('PATCH')
    expect(patches.at(-1)?.headers['Upload-Length']).toBe('2500')
    expect(patches.slice(0, -1).every((p) => p.headers['Upload-Length'] === undefined)).toBe(true)
    expect(result.ok && server.uploads.get(result.url)?.data.equals(data)).toBe(true)
  })

  it('refuses an upload larger than the announced Tus-Max-Size before sending anything', async () => {
    const server = fakeTusServer({ extensions: FULL, maxSize: 100 })
    const result = await upload(randomBytes(101), options(server)).start().done
    expect(!result.ok && result.error.code).toBe('too_large')
    expect(server.stack.of('POST')).toHaveLength(0)
  })

  it('reports a 4xx as a typed error with status and server message, without retrying', async () => {
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => (e.method === 'PATCH' ? { status: 403, body: 'quota exceeded\n' } : undefined),
    })
    const result = await upload(randomBytes(2000), options(server, { chunkSize: 1000 })).start().done
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toMatchObject({
      code: 'forbidden',
      status: 403,
      serverMessage: 'quota exceeded',
      method: 'PATCH',
    })
    expect(server.stack.of('PATCH')).toHaveLength(1)
  })

  it("waits for 429's Retry-After, then resumes from the server's offset", async () => {
    let limited = false
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => {
        if (e.method === 'PATCH' && !limited) {
          limited = true
          return { status: 429, headers: { 'Retry-After': '1' }, body: 'slow down\n' }
        }
        return undefined
      },
    })
    const handle = upload(randomBytes(3000), options(server, { chunkSize: 1000 }))
    const retries: number[] = []
    handle.on('retry', (event) => retries.push(event.delayMs))
    const result = await handle.start().done
    expect(result.ok).toBe(true)
    expect(retries).toEqual([1000])
    // The retry re-read the offset: 1000 bytes came with the POST and were not sent again.
    expect(server.stack.of('HEAD')).toHaveLength(1)
    expect(server.stack.of('PATCH').map((e) => e.headers['Upload-Offset'])).toEqual(['1000', '1000', '2000'])
  })

  it('retries network errors with backoff and gives up after maxRetries', async () => {
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => (e.method === 'POST' ? { networkError: 'ECONNRESET' } : undefined),
    })
    const result = await upload(
      randomBytes(10),
      options(server, { retry: { ...fast, maxRetries: 3 } }),
    ).start().done
    expect(!result.ok && result.error.code).toBe('network')
    expect(server.stack.of('POST')).toHaveLength(4)
  })

  it('stops retrying a server that never answered once unreachedBudgetMs has passed', async () => {
    const server = fakeTusServer({ extensions: FULL, override: () => ({ networkError: 'ECONNREFUSED' }) })
    const retry = { baseDelayMs: 200, factor: 1, jitter: 0, maxRetries: 10, unreachedBudgetMs: 500 }
    const result = await upload(randomBytes(10), options(server, { retry })).start().done
    expect(!result.ok && result.error.code).toBe('network')
    // Attempts at about 0, 200 and 400 ms; a fourth would start at 600 ms, past the budget.
    expect(server.stack.of('POST')).toHaveLength(3)
  })

  it('keeps retrying a server that has answered (it went away mid-upload) up to maxRetries', async () => {
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => (e.method === 'POST' ? { networkError: 'ECONNREFUSED' } : undefined),
    })
    const retry = { baseDelayMs: 200, factor: 1, jitter: 0, maxRetries: 4, unreachedBudgetMs: 500 }
    const result = await upload(randomBytes(10), options(server, { retry })).start().done
    expect(!result.ok && result.error.code).toBe('network')
    expect(server.stack.of('POST')).toHaveLength(5) // 800 ms of retries: the budget does not apply
  })

  it('calls the token provider before every request', async () => {
    const server = fakeTusServer({ extensions: FULL })
    let issued = 0
    const result = await upload(
      randomBytes(3000),
      options(server, { chunkSize: 1000, getToken: async () => `token-${++issued}` }),
    ).start().done
    expect(result.ok).toBe(true)
    const tokens = server.stack.exchanges.map((e: FakeExchange) => e.headers.Authorization)
    expect(tokens).toEqual(tokens.map((_, i) => `Bearer token-${i + 1}`))
    expect(issued).toBe(server.stack.exchanges.length)
  })

  it('cancels when the AbortSignal fires, resolving done with an aborted error', async () => {
    const controller = new AbortController()
    const server = fakeTusServer({
      extensions: FULL,
      override: (e) => {
        if (e.method === 'PATCH') controller.abort()
        return undefined
      },
    })
    const result = await upload(
      randomBytes(5000),
      options(server, { chunkSize: 1000, signal: controller.signal }),
    ).start().done
    expect(!result.ok && result.error.code).toBe('aborted')
    expect(server.stack.of('PATCH').length).toBeLessThan(4)
  })

  it('resumes a remembered upload of the same bytes instead of creating a new one', async () => {
    const server = fakeTusServer({ extensions: FULL })
    const urlStorage = new MemoryUrlStorage()
    const data = randomBytes(3000)
    let patches = 0
    const first = upload(data, { ...options(server, { chunkSize: 1000 }), urlStorage })
    first.on('progress', (p) => {
      if (p.bytesAcknowledged >= 2000 && patches++ === 0) void first.pause()
    })
    first.start()
    await until(() => first.state === 'paused', 5_000, 'the first upload paused after 2000 bytes')
    expect(await urlStorage.findAllUploads()).toHaveLength(1)

    const second = await upload(data, { ...options(server, { chunkSize: 1000 }), urlStorage }).start().done
    expect(second.ok && second.resumedFrom).toBe(2000)
    expect(server.stack.of('POST')).toHaveLength(1)
    expect(second.ok && server.uploads.get(second.url)?.data.equals(data)).toBe(true)
    expect(await urlStorage.findAllUploads()).toHaveLength(0)
  })

  it('reports bytes acknowledged by the server separately from bytes sent', async () => {
    const server = fakeTusServer({ extensions: ['creation'] })
    const seen: Array<[number, number]> = []
    const handle = upload(randomBytes(3000), options(server, { chunkSize: 1000 }))
    handle.on('progress', (p) => seen.push([p.bytesSent, p.bytesAcknowledged]))
    await handle.start().done
    expect(seen.some(([sent, acked]) => sent > acked)).toBe(true)
    expect(seen.at(-1)).toEqual([3000, 3000])
  })
})
