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
