import { randomBytes } from 'node:crypto'
import { DefaultHttpStack, type HttpRequest, type HttpResponse, type HttpStack } from 'tus-js-client'
import { describe, expect, it } from 'vitest'
import { AUDIENCE, ISSUER, SECRET, token } from '../../server/test/auth/tokens.js'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { until } from '../../test-support/until.js'
import { MemoryUrlStorage, type TokenRequest, upload } from '../src/index.node.js'
import { sha256 } from './helpers/files.js'

// The SDK's token provider against a real Tusk with JWT authentication on: a 401 refreshes the
// token once through the provider and sends the request again; a second 401 in a row is final.

const auth = { jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE }
const TUS = { 'Tus-Resumable': '1.0.0' }

/** The real transport, with every request's method and answer status written down. */
class RecordingStack implements HttpStack {
  readonly seen: string[] = []
  private readonly inner = new DefaultHttpStack({})
  createRequest(method: string, url: string): HttpRequest {
    const req = this.inner.createRequest(method, url)
    const send = req.send.bind(req)
    req.send = async (body: unknown): Promise<HttpResponse> => {
      const res = await send(body)
      this.seen.push(`${method} ${res.getStatus()}`)
      return res
    }
    return req
  }
  getName(): string {
    return 'Recording'
  }
  /** What reached the server apart from discovery (OPTIONS). */
  get requests(): string[] {
    return this.seen.filter((line) => !line.startsWith('OPTIONS'))
  }
}

/** A provider that caches one token and replaces it when asked to refresh; its calls are recorded. */
function cachingProvider(first: string, next: () => Promise<string>) {
  let current = first
  const calls: TokenRequest[] = []
  const getToken = async (request: TokenRequest) => {
    calls.push(request)
    if (request.refresh) current = await next()
    return current
  }
  return { getToken, calls, refreshes: () => calls.filter((c) => c.refresh).length }
}

async function download(url: string, as: string): Promise<string> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${as}` } })
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`)
  return sha256(new Uint8Array(await res.arrayBuffer()))
}

/** Owner alice's upload of `data`, half of it sent, made without the SDK. */
async function halfUpload(tusk: TestTusk, data: Buffer, as: string): Promise<string> {
  const res = await fetch(tusk.url, {
    method: 'POST',
    headers: {
      ...TUS,
      Authorization: `Bearer ${as}`,
      'Upload-Length': String(data.length),
      'Content-Type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(data.subarray(0, data.length / 2)),
  })
  expect(res.status).toBe(201)
  return new URL(res.headers.get('location') as string, tusk.url).href
}

describe('SDK token provider against a real Tusk with authentication on', () => {
  it('an expired token is refreshed once through the provider and the upload succeeds', async () => {
    const tusk = await startTusk(auth)
    const provider = cachingProvider(await token('alice', { expiresIn: -60 }), () => token('alice'))
    const stack = new RecordingStack()
    const data = randomBytes(200_000)
    const result = await upload(data, {
      endpoint: tusk.url,
      getToken: provider.getToken,
      httpStack: stack,
      urlStorage: new MemoryUrlStorage(),
    }).start().done
    expect(result.ok).toBe(true)
    expect(provider.refreshes()).toBe(1)
    expect(stack.requests).toEqual(['POST 401', 'POST 201'])
    if (result.ok) expect(await download(result.url, await token('alice'))).toBe(sha256(data))
  })

  it('a provider that always hands out a bad token: an unauthorized error with the reason after exactly two requests', async () => {
    const tusk = await startTusk(auth)
    const bad = await token('alice', { audience: 'someone-else' })
    const provider = cachingProvider(bad, async () => bad)
    const stack = new RecordingStack()
    const result = await upload(randomBytes(10_000), {
      endpoint: tusk.url,
      getToken: provider.getToken,
      httpStack: stack,
      urlStorage: new MemoryUrlStorage(),
    }).start().done
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('unauthorized')
    expect(result.error.status).toBe(401)
    expect(result.error.serverMessage).toBe('ERR_UNAUTHORIZED: authentication required: wrong audience')
    expect(result.error.message).toMatch(
      /^POST \S+ failed: the server refused the token \(401: authentication required: wrong audience\)$/,
    )
    expect(stack.requests).toEqual(['POST 401', 'POST 401'])
    expect(provider.refreshes()).toBe(1)
  })

  it('resuming with an expired token keeps the upload: HEAD 401, refresh, HEAD, PATCH from the server offset', async () => {
    const tusk = await startTusk(auth)
    const data = randomBytes(100_000)
    const url = await halfUpload(tusk, data, await token('alice'))
    const storage = new MemoryUrlStorage()
    await storage.addUpload('resume-me', {
      size: data.length,
      metadata: {},
      creationTime: new Date().toISOString(),
      uploadUrl: url,
      parallelUploadUrls: null,
    })
    const provider = cachingProvider(await token('alice', { expiresIn: -60 }), () => token('alice'))
    const stack = new RecordingStack()
    const result = await upload(data, {
      endpoint: tusk.url,
      getToken: provider.getToken,
      httpStack: stack,
      urlStorage: storage,
      fingerprint: 'resume-me',
    }).start().done
    expect(result.ok && { url: result.url, resumedFrom: result.resumedFrom }).toEqual({
      url,
      resumedFrom: data.length / 2,
    })
    expect(stack.requests).toEqual(['HEAD 401', 'HEAD 200', 'PATCH 204'])
    expect(provider.refreshes()).toBe(1)
    expect(await download(url, await token('alice'))).toBe(sha256(data))
  })

  it('resuming with a token that stays bad fails after HEAD twice, and creates no new upload', async () => {
    const tusk = await startTusk(auth)
    const data = randomBytes(10_000)
    const url = await halfUpload(tusk, data, await token('alice'))
    const storage = new MemoryUrlStorage()
    await storage.addUpload('resume-me', {
      size: data.length,
      metadata: {},
      creationTime: new Date().toISOString(),
      uploadUrl: url,
      parallelUploadUrls: null,
    })
    const stack = new RecordingStack()
    const result = await upload(data, {
      endpoint: tusk.url,
      getToken: () => 'not-a-jwt',
      httpStack: stack,
      urlStorage: storage,
      fingerprint: 'resume-me',
    }).start().done
    expect(result.ok || result.error.code).toBe('unauthorized')
    expect(stack.requests).toEqual(['HEAD 401', 'HEAD 401'])
    // The upload is still remembered for a later run with a good token.
    expect((await storage.findUploadsByFingerprint('resume-me')).map((u) => u.uploadUrl)).toEqual([url])
  })

  it('a token of the wrong scope fails at once as forbidden (403), without a refresh', async () => {
    const tusk = await startTusk(auth)
    const provider = cachingProvider(
      await token('alice', { claims: { scope: 'download', upload_id: 'x'.repeat(32) } }),
      () => token('alice'),
    )
    const stack = new RecordingStack()
    const result = await upload(randomBytes(1000), {
      endpoint: tusk.url,
      getToken: provider.getToken,
      httpStack: stack,
      urlStorage: new MemoryUrlStorage(),
    }).start().done
    expect(result.ok || [result.error.code, result.error.status]).toEqual(['forbidden', 403])
    expect(stack.requests).toEqual(['POST 403'])
    expect(provider.refreshes()).toBe(0)
  })

  it('429 is retried after the Retry-After the server sent, within the retry budget', async () => {
    // Two requests per second per client: OPTIONS and the POST use them up, the first PATCH is refused.
    const tusk = await startTusk({ ...auth, rateLimitRequests: 2 })
    const good = await token('alice')
    const stack = new RecordingStack()
    const data = randomBytes(60_000)
    const handle = upload(data, {
      endpoint: tusk.url,
      getToken: () => good,
      httpStack: stack,
      urlStorage: new MemoryUrlStorage(),
      creationWithUpload: false,
      chunkSize: 20_000,
    })
    const retries: Array<{ code: string; delayMs: number; retryAfterMs: number | undefined }> = []
    handle.on('retry', ({ error, delayMs }) =>
      retries.push({ code: error.code, delayMs, retryAfterMs: error.retryAfterMs }),
    )
    const result = await handle.start().done
    expect(result.ok).toBe(true)
    expect(stack.seen).toContain('PATCH 429')
    expect(retries.length).toBeGreaterThan(0)
    for (const retry of retries) {
      expect(retry.code).toBe('rate_limited')
      expect(retry.retryAfterMs).toBeGreaterThan(0)
      expect(retry.delayMs).toBe(retry.retryAfterMs)
    }
    // Read back once the limiter's one-second window lets a request through again.
    const url = result.ok ? result.url : ''
    const stored = await until(() => download(url, good), 5_000, 'a download within the rate limit', {
      intervalMs: 250,
    })
    expect(stored).toBe(sha256(data))
  })

  it('429 beyond the retry budget fails as rate_limited with the limit in the reason', async () => {
    const tusk = await startTusk({ ...auth, rateLimitRequests: 1 })
    const good = await token('alice')
    const result = await upload(randomBytes(1000), {
      endpoint: tusk.url,
      getToken: () => good,
      urlStorage: new MemoryUrlStorage(),
      retry: { maxRetries: 0 },
    }).start().done
    expect(result.ok || [result.error.code, result.error.status]).toEqual(['rate_limited', 429])
    expect(result.ok || result.error.serverMessage).toMatch(/limit 1 requests per second/)
  })
})
