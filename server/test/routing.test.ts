import { describe, expect, it } from 'vitest'
import { startTusk } from '../../test-support/tusk.js'
import { send, TUS } from './helpers.js'

describe('Koa host routing', async () => {
  const server = await startTusk()

  it('creates an upload at POST /files (the base path itself, which a "/files/(.*)" route pattern misses)', async () => {
    const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '3' } })
    expect(reply.status).toBe(201)
    expect(reply.headers.location).toMatch(new RegExp(`^${server.url}/[0-9a-f]{32}$`))
  })

  it('creates an upload at POST /files/ (trailing slash)', async () => {
    const reply = await send(`${server.url}/`, { method: 'POST', headers: { ...TUS, 'Upload-Length': '3' } })
    expect(reply.status).toBe(201)
    expect(reply.headers.location).toMatch(/\/files\/[0-9a-f]{32}$/)
  })

  it('answers OPTIONS on the base path with Tus-Version, extensions and Tus-Max-Size', async () => {
    const reply = await send(server.url, { method: 'OPTIONS' })
    expect(reply.status).toBe(204)
    expect(reply.headers['tus-version']).toBe('1.0.0')
    expect(reply.headers['tus-max-size']).toBe(String(server.config.maxSize))
    expect(String(reply.headers['tus-extension']).split(',')).toEqual(
      expect.arrayContaining([
        'creation',
        'creation-with-upload',
        'creation-defer-length',
        'termination',
        'expiration',
      ]),
    )
  })

  it('serves GET /health (process alive) and GET /ready (store writable)', async () => {
    const health = await send(`${server.origin}/health`)
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok' })
    const ready = await send(`${server.origin}/ready`)
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body.toString())).toMatchObject({
      status: 'ready',
      store: 'file',
      locker: 'memory',
    })
  })

  it('answers 404 outside the base path and does not treat /filesX as the endpoint', async () => {
    expect((await send(`${server.origin}/nope`)).status).toBe(404)
    expect(
      (await send(`${server.origin}/filesX`, { method: 'POST', headers: { ...TUS, 'Upload-Length': '1' } }))
        .status,
    ).toBe(404)
  })

  it('echoes a request id and answers CORS preflights for the tus headers', async () => {
    const reply = await send(server.url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'tus-resumable,upload-offset,content-type',
      },
    })
    expect(reply.status).toBe(204)
    expect(reply.headers['access-control-allow-origin']).toBe('*')
    expect(String(reply.headers['access-control-allow-methods'])).toContain('PATCH')
    expect(String(reply.headers['access-control-allow-headers']).toLowerCase()).toContain('upload-offset')
    expect(reply.headers['x-request-id']).toBeTruthy()
  })

  it('lets a page read tus discovery headers on its own cross-origin OPTIONS (not a preflight)', async () => {
    const reply = await send(server.url, { method: 'OPTIONS', headers: { Origin: 'https://app.example' } })
    expect(reply.status).toBe(204)
    expect(reply.headers['access-control-allow-origin']).toBe('*')
    expect(String(reply.headers['access-control-expose-headers'])).toContain('Tus-Extension')
    expect(String(reply.headers['access-control-expose-headers'])).toContain('Tus-Checksum-Algorithm')
  })
})

const CORS_HEADERS = [
  'vary',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
] as const
const corsOf = (reply: { headers: Record<string, unknown> }) =>
  Object.fromEntries(CORS_HEADERS.map((name) => [name, reply.headers[name]]))

// The host answers tus requests other than OPTIONS without Koa; their CORS headers must be the ones
// @koa/cors gives the requests it still sees (GET /health here).
describe('CORS headers of tus requests', async () => {
  const anyOrigin = await startTusk()
  const listed = await startTusk({ corsOrigins: ['https://app.example'], corsCredentials: true })

  const tusRequests = async (url: string, headers: Record<string, string>) => {
    const created = await send(url, {
      method: 'POST',
      headers: {
        ...TUS,
        ...headers,
        'Upload-Length': '3',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'abc',
    })
    expect(created.status).toBe(201)
    const upload = String(created.headers.location)
    return [
      created,
      await send(upload, { method: 'HEAD', headers: { ...TUS, ...headers } }),
      await send(upload, { headers }),
      await send(`${url}/${'0'.repeat(32)}`, { method: 'HEAD', headers: { ...TUS, ...headers } }),
    ]
  }

  it.each([
    ['every origin allowed, a request without Origin', 'any', {}],
    ['every origin allowed, a page', 'any', { Origin: 'https://app.example' }],
    ['a listed origin, with credentials', 'listed', { Origin: 'https://app.example' }],
    ['an origin not listed', 'listed', { Origin: 'https://evil.example' }],
    ['no Origin, origins listed', 'listed', {}],
  ] as const)('are those @koa/cors sets: %s', async (_, which, headers) => {
    const server = which === 'any' ? anyOrigin : listed
    const expected = corsOf(await send(`${server.origin}/health`, { headers }))
    expect(expected.vary).toBe('Origin')
    for (const reply of await tusRequests(server.url, headers)) expect(corsOf(reply)).toEqual(expected)
  })

  it('allows a listed origin with credentials and no other', async () => {
    const [created] = await tusRequests(listed.url, { Origin: 'https://app.example' })
    expect(created?.headers['access-control-allow-origin']).toBe('https://app.example')
    expect(created?.headers['access-control-allow-credentials']).toBe('true')
    expect(String(created?.headers['access-control-expose-headers'])).toContain('Upload-Offset')
    const [refused] = await tusRequests(listed.url, { Origin: 'https://evil.example' })
    expect(refused?.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('echoes the client request id on a tus request', async () => {
    const reply = await send(anyOrigin.url, { method: 'OPTIONS', headers: { 'X-Request-Id': 'abc-1' } })
    expect(reply.headers['x-request-id']).toBe('abc-1')
    const created = await send(anyOrigin.url, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '3', 'X-Request-Id': 'abc-2' },
    })
    expect(created.headers['x-request-id']).toBe('abc-2')
  })
})

describe('readiness with a shared locker', async () => {
  // Nothing listens on port 1: the Redis the locks depend on is down.
  const server = await startTusk({ redisUrl: 'redis://127.0.0.1:1' })

  it('answers /ready with 503 naming the locker while Redis is unreachable, and /health still 200', async () => {
    const ready = await send(`${server.origin}/ready`)
    expect(ready.status).toBe(503)
    expect(JSON.parse(ready.body.toString())).toMatchObject({ status: 'not ready', locker: 'redis' })
    expect(JSON.parse(ready.body.toString()).lockerError).toMatch(/Redis/)
    expect((await send(`${server.origin}/health`)).status).toBe(200)
  })
})
