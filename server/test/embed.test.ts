import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Koa from 'koa'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../test-support/bytes.js'
import { until } from '../../test-support/until.js'
import {
  type Authorizer,
  ConfigError,
  createTusk,
  type EmbeddedTusk,
  ERR,
  type HookEvent,
  ownerOf,
  startServer,
} from '../src/index.js'
import { b64, patch, send, TUS } from './helpers.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tusk-embed-'))
  dirs.push(dir)
  return dir
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function stop(server: http.Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** A PATCH whose Content-Length promises all of `data` but that sends `sent` bytes and hangs up. */
function interruptedPatch(url: string, data: Buffer, sent: number): Promise<void> {
  const target = new URL(url)
  return new Promise((resolve) => {
    const socket = net.connect(Number(target.port), target.hostname, () => {
      socket.write(
        `PATCH ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nTus-Resumable: 1.0.0\r\n` +
          `Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
      )
      socket.write(data.subarray(0, sent), () => socket.destroy())
    })
    socket.on('close', () => resolve())
    socket.on('error', () => {})
  })
}

async function offsetOf(url: string): Promise<number> {
  return Number((await send(url, { method: 'HEAD', headers: TUS })).headers['upload-offset'])
}

/**
 * What every host must get from an embedded Tusk: creation-with-upload, PATCH, download, and a
 * resume after a PATCH cut mid-body, all through the host's own port under /uploads.
 */
function uploadsThroughTheHost(origin: () => string) {
  it('creates with data, appends with PATCH and downloads through the host port', async () => {
    const data = bytes(300_000, 5)
    const created = await send(`${origin()}/uploads`, {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(data.length),
        'Upload-Metadata': `filename ${b64('a.bin')}`,
        'Content-Type': 'application/offset+octet-stream',
      },
      body: data.subarray(0, 100_000),
    })
    expect(created.status).toBe(201)
    expect(created.headers['upload-offset']).toBe('100000')
    const url = new URL(created.headers.location as string, origin()).href
    // Upload URLs are the host's: its origin and the mount path.
    expect(url.startsWith(`${origin()}/uploads/`)).toBe(true)
    expect((await patch(url, 100_000, data.subarray(100_000))).status).toBe(204)
    const download = await send(url)
    expect(download.status).toBe(200)
    expect(sha256(download.body)).toBe(sha256(data))
  })

  it('resumes after an interrupted PATCH from the offset HEAD reports, byte-exact', async () => {
    const data = bytes(1024 * 1024, 9)
    const created = await send(`${origin()}/uploads`, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': String(data.length) },
    })
    expect(created.status).toBe(201)
    const url = new URL(created.headers.location as string, origin()).href
    const sent = 400_000
    await interruptedPatch(url, data, sent)
    // The bytes that arrived before the hang-up are stored and counted.
    await until(async () => (await offsetOf(url)) === sent, 5_000, `HEAD to report offset ${sent}`)
    expect((await patch(url, sent, data.subarray(sent))).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })
}

describe('createTusk inside a Koa app', () => {
  const finished: string[] = []
  const postFinish: HookEvent[] = []
  let tusk: EmbeddedTusk
  let host: http.Server
  let origin = ''

  it('mounts into an app with its own routes', async () => {
    tusk = await createTusk(
      { basePath: '/uploads', dataDir: await dataDir(), logLevel: 'silent' },
      {
        events: { finished: (upload) => void finished.push(upload.id) },
        hooks: { 'post-finish': (event) => void postFinish.push(event) },
      },
    )
    const app = new Koa()
    // A client hanging up mid-PATCH reaches the host app's error event too (Koa sees the socket
    // fail); Tusk has logged it already, so this host does not print it again.
    app.silent = true
    // The host's own middleware before Tusk sees every request, Tusk's included.
    app.use(async (ctx, next) => {
      await next()
      if (!ctx.path.startsWith('/uploads')) ctx.set('X-Host', 'koa')
    })
    app.use(tusk.koa)
    app.use(async (ctx, next) => {
      if (ctx.method === 'GET' && ctx.path === '/hello') ctx.body = { hello: 'from the host' }
      else if (ctx.method === 'GET' && ctx.path === '/uploadsx')
        ctx.body = 'a host route that only starts like Tusk'
      else await next()
    })
    // The host's own not-found answer.
    app.use((ctx) => {
      ctx.status = 404
      ctx.body = 'host: no such page'
    })
    host = http.createServer(app.callback())
    origin = await listen(host)
  })

  uploadsThroughTheHost(() => origin)

  it("answers the host's routes and the host's 404 untouched", async () => {
    const hello = await send(`${origin}/hello`)
    expect(hello.status).toBe(200)
    expect(JSON.parse(hello.body.toString())).toEqual({ hello: 'from the host' })
    expect(hello.headers['x-host']).toBe('koa')
    const sibling = await send(`${origin}/uploadsx`)
    expect(sibling.status).toBe(200)
    expect(sibling.body.toString()).toBe('a host route that only starts like Tusk')
    const missing = await send(`${origin}/nope`)
    expect(missing.status).toBe(404)
    expect(missing.body.toString()).toBe('host: no such page')
    // Tusk answers its own unknown paths with the protocol's 404, not the host's page.
    const unknownUpload = await send(`${origin}/uploads/no-such-upload`, { method: 'HEAD', headers: TUS })
    expect(unknownUpload.status).toBe(404)
  })

  it('calls the in-process events and hooks for uploads that finish', async () => {
    // Both uploads above finished; hooks are called after the event, not awaited by the request.
    await until(() => postFinish.length === 2, 5_000, 'two post-finish hooks')
    expect(finished).toHaveLength(2)
    expect(postFinish.map((event) => event.upload.id).sort()).toEqual([...finished].sort())
    expect(postFinish.find((event) => event.upload.size === 300_000)?.upload.metadata).toEqual({
      filename: 'a.bin',
    })
  })

  it('counts in its Prometheus registry, for the app to serve', async () => {
    const text = await tusk.metrics?.metrics()
    expect(text).toMatch(/^tusk_uploads_finished_total 2$/m)
    expect(text).toMatch(/^tusk_requests_total\{method="PATCH",status="204"\} 2$/m)
  })

  it('closes: close() resolves and the host keeps serving its own routes', async () => {
    await expect(tusk.close()).resolves.toBeUndefined()
    expect((await send(`${origin}/hello`)).status).toBe(200)
    await stop(host)
  })
})

describe('createTusk inside a node:http server', () => {
  let tusk: EmbeddedTusk
  let host: http.Server
  let origin = ''

  it('mounts with a fallback for the rest of the app', async () => {
    tusk = await createTusk({
      basePath: '/uploads',
      dataDir: await dataDir(),
      logLevel: 'silent',
      metrics: false,
    })
    expect(tusk.metrics).toBeUndefined()
    host = http.createServer((req, res) =>
      tusk.handle(req, res, () => {
        if (req.url === '/hello')
          res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello from the host')
        else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('host: no such page')
      }),
    )
    origin = await listen(host)
  })

  uploadsThroughTheHost(() => origin)

  it("answers the host's routes and the host's 404 untouched", async () => {
    const hello = await send(`${origin}/hello`)
    expect(hello.status).toBe(200)
    expect(hello.body.toString()).toBe('hello from the host')
    const missing = await send(`${origin}/nope?x=1`)
    expect(missing.status).toBe(404)
    expect(missing.body.toString()).toBe('host: no such page')
  })

  it('answers 404 itself outside the base path when no fallback is given', async () => {
    const bare = http.createServer((req, res) => tusk.handle(req, res))
    const bareOrigin = await listen(bare)
    try {
      expect((await send(`${bareOrigin}/elsewhere`)).status).toBe(404)
      const created = await send(`${bareOrigin}/uploads`, {
        method: 'POST',
        headers: { ...TUS, 'Upload-Length': '1' },
      })
      expect(created.status).toBe(201)
    } finally {
      await stop(bare)
    }
  })

  it('closes: close() resolves', async () => {
    await expect(tusk.close()).resolves.toBeUndefined()
    await stop(host)
  })
})

describe("createTusk with the application's own authorizer and blocking hook (server/README.md)", () => {
  // The host's session, as the README sample has it: here, who the request says it is.
  const userOf = (headers: http.IncomingHttpHeaders) => headers['x-user'] as string | undefined
  const authorizer: Authorizer = {
    authenticate(request) {
      if (!userOf(request.headers)) throw ERR.UNAUTHORIZED('log in first')
    },
    authorize(check) {
      const user = userOf(check.request.headers)
      if (check.intent === 'create') return { owner: user }
      if ('upload' in check && ownerOf(check.upload) !== user) throw ERR.NOT_FOUND()
      return undefined
    },
  }

  it('refuses strangers, keeps uploads to their owner and lets a pre-create hook refuse', async () => {
    const tusk = await createTusk(
      { basePath: '/uploads', dataDir: await dataDir(), logLevel: 'silent' },
      {
        authorizer,
        hooks: {
          'pre-create': (event) =>
            event.upload.metadata.filename
              ? undefined
              : { reject: { status: 400, message: 'filename required' } },
        },
      },
    )
    const host = http.createServer((req, res) => tusk.handle(req, res))
    const origin = await listen(host)
    try {
      const create = (headers: Record<string, string>) =>
        send(`${origin}/uploads`, { method: 'POST', headers: { ...TUS, 'Upload-Length': '3', ...headers } })
      const named = { 'Upload-Metadata': `filename ${b64('x.txt')}` }
      const stranger = await create(named)
      expect(stranger.status).toBe(401)
      expect(stranger.body.toString()).toContain('log in first')
      const unnamed = await create({ 'X-User': 'alice' })
      expect(unnamed.status).toBe(400)
      expect(unnamed.body.toString()).toContain('filename required')
      const created = await create({ 'X-User': 'alice', ...named })
      expect(created.status).toBe(201)
      const url = new URL(created.headers.location as string, origin).href
      const asAlice = await send(url, { method: 'HEAD', headers: { ...TUS, 'X-User': 'alice' } })
      expect(asAlice.status).toBe(200)
      const asBob = await send(url, { method: 'HEAD', headers: { ...TUS, 'X-User': 'bob' } })
      expect(asBob.status).toBe(404)
    } finally {
      await stop(host)
      await tusk.close()
    }
  })
})

describe('createTusk options', () => {
  it('refuses an invalid option with the ConfigError startServer gives', async () => {
    const invalid = { basePath: 'uploads', dataDir: await dataDir(), logLevel: 'silent' } as const
    const embedded = await createTusk(invalid).then(
      () => undefined,
      (error: unknown) => error,
    )
    const standalone = await startServer({ ...invalid, port: 0 }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(embedded).toBeInstanceOf(ConfigError)
    expect(standalone).toBeInstanceOf(ConfigError)
    expect((embedded as Error).message).toBe((standalone as Error).message)
    expect((embedded as Error).message).toMatch(/basePath/)
  })
})

describe('createTusk and close()', () => {
  it('lets the process exit as soon as close() resolves (no timer of its own keeps it alive)', async () => {
    const { spawn } = await import('node:child_process')
    const { fileURLToPath } = await import('node:url')
    const index = fileURLToPath(new URL('../dist/index.js', import.meta.url))
    const dir = await dataDir()
    // The script ends right after close(): whatever time the process takes after that is Tusk's.
    const script = `
      const { createTusk } = await import(${JSON.stringify(index)})
      const tusk = await createTusk({ dataDir: ${JSON.stringify(dir)}, logLevel: 'silent' })
      await tusk.close()
      process.stdout.write(String(Date.now()))
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    await new Promise((resolve) => child.once('exit', resolve))
    const lingeredMs = Date.now() - Number(out)
    expect(child.exitCode).toBe(0)
    expect(lingeredMs).toBeLessThan(2_000) // it waited out a 5 s timer before
  })
})
