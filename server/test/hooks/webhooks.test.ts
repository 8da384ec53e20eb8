import { mkdtempSync, rmSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../src/config/schema.js'
import { startServer, type TuskServer } from '../../src/server.js'
import { b64, createUpload, patch, send, TUS } from '../helpers.js'
import { type Answer, type Received, SECRET, startReceiver, until } from './receiver.js'

const dirs: string[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function setup(answer: (r: Received) => Answer = () => ({ status: 204 }), config: ConfigInput = {}) {
  const receiver = await startReceiver(answer)
  closers.push(receiver.close)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-hooks-'))
  dirs.push(dataDir)
  const server = await startServer({
    port: 0,
    dataDir,
    logLevel: 'silent',
    hooksUrl: receiver.url,
    hooksSecret: SECRET,
    hooksTimeout: 1_000,
    hooksRetrySchedule: '200ms,200ms,200ms',
    ...config,
  })
  closers.push(() => server.close())
  return { receiver, server, dataDir }
}

const finishUpload = async (server: TuskServer, data = 'hello', headers: Record<string, string> = {}) => {
  const url = await createUpload(server.url, data.length, headers)
  const reply = await patch(url, 0, Buffer.from(data))
  return { url, reply }
}

describe('webhooks to a real receiver on loopback', () => {
  it('delivers every event type, each with a valid Standard Webhooks signature and the tusd body', async () => {
    const { receiver, server, dataDir } = await setup(undefined, {
      hooksEvents:
        'pre-create,post-create,post-receive,pre-finish,post-finish,pre-terminate,post-terminate,pre-access',
    })
    const { url } = await finishUpload(server, 'hello', {
      'Upload-Metadata': `filename ${b64('a.txt')}`,
      Authorization: 'Bearer secret-token',
      Cookie: 'session=1',
    })
    const id = url.split('/').pop() as string
    expect((await send(url, { method: 'HEAD', headers: TUS })).status).toBe(200)
    expect((await send(url, { method: 'DELETE', headers: TUS })).status).toBe(204)
    await until(() => {
      const types = new Set(receiver.received.map((r) => r.type))
      for (const type of ['pre-create', 'post-create', 'post-receive', 'pre-finish', 'post-finish']) {
        expect(types).toContain(type)
      }
      for (const type of ['pre-terminate', 'post-terminate', 'pre-access']) expect(types).toContain(type)
    })
    expect(receiver.received.every((r) => r.signed)).toBe(true)
    const finish = receiver.ofType('post-finish')[0]?.json as {
      Event: {
        Upload: Record<string, unknown>
        HTTPRequest: { Method: string; Header: Record<string, string[]> }
      }
    }
    expect(finish.Event.Upload).toMatchObject({
      ID: id,
      Size: 5,
      Offset: 5,
      MetaData: { filename: 'a.txt' },
      IsPartial: false,
      IsFinal: false,
      Storage: { Type: 'filestore', Path: path.join(dataDir, id) },
    })
    expect(finish.Event.HTTPRequest.Method).toBe('PATCH')
    const preCreate = receiver.ofType('pre-create')[0]?.json as typeof finish
    expect(preCreate.Event.Upload.ID).toBe('')
    // Credentials never reach a hook unless configured.
    expect(preCreate.Event.HTTPRequest.Header.authorization).toBeUndefined()
    expect(preCreate.Event.HTTPRequest.Header.cookie).toBeUndefined()
    expect(preCreate.Event.HTTPRequest.Header['upload-length']).toEqual(['5'])
    const access = receiver.ofType('pre-access')
    expect(access.map((r) => (r.json.Event as { Access: { Mode: string } }).Access.Mode)).toEqual(
      expect.arrayContaining(['read', 'write']),
    )
  })

  it('a pre-create rejection reaches the client with the hook status and message; nothing is created', async () => {
    const { receiver, server } = await setup((r) =>
      r.type === 'pre-create'
        ? {
            body: JSON.stringify({
              RejectUpload: true,
              HTTPResponse: { StatusCode: 422, Body: 'no PDFs here' },
            }),
          }
        : { status: 204 },
    )
    const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '5' } })
    expect(reply.status).toBe(422)
    expect(reply.body.toString()).toBe('ERR_HOOK_REJECTED: refused by a hook: no PDFs here\n')
    await new Promise((r) => setTimeout(r, 300))
    expect(receiver.ofType('post-create')).toHaveLength(0)
  })

  it('pre-create may choose the id, replace the metadata and lower the size limit', async () => {
    let created = 0
    const { server } = await setup((r) =>
      r.type === 'pre-create'
        ? {
            body: JSON.stringify({
              ChangeFileInfo: { ID: `chosen-by-hook-${++created}`, MetaData: { tag: 'x' }, MaxSize: 10 },
            }),
          }
        : { status: 204 },
    )
    const url = await createUpload(server.url, 5, { 'Upload-Metadata': `filename ${b64('a.txt')}` })
    expect(url.endsWith('/chosen-by-hook-1')).toBe(true)
    const head = await send(url, { method: 'HEAD', headers: TUS })
    expect(head.headers['upload-metadata']).toBe(`tag ${b64('x')}`)
    const tooBig = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '11' } })
    expect(tooBig.status).toBe(413)
  })

  it.each([
    ['an invalid id (path tricks)', { ChangeFileInfo: { ID: '../../etc/passwd' } }, 'invalid upload id'],
    ['metadata too large', { ChangeFileInfo: { MetaData: { big: 'x'.repeat(9_000) } } }, 'metadata larger'],
  ])('a pre-create hook that returns %s answers 503 with the reason', async (_what, response, reason) => {
    const { server, dataDir } = await setup((r) =>
      r.type === 'pre-create' ? { body: JSON.stringify(response) } : { status: 204 },
    )
    const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '5' } })
    expect(reply.status).toBe(503)
    expect(reply.body.toString()).toContain(reason)
    // Nothing was stored.
    const entries = await readdir(dataDir)
    expect(entries.filter((name) => !name.startsWith('.'))).toEqual([])
  })

  it.each<[string, Answer, string]>([
    ['answers 500', { status: 500 }, 'answered 500'],
    ['hangs', { hang: true }, 'did not answer within'],
    ['answers slowly', { delayMs: 1_500, body: '{}' }, 'did not answer within'],
    ['returns invalid JSON', { body: '{nope' }, 'invalid JSON'],
    ['returns a huge body', { body: JSON.stringify({ x: 'y'.repeat(200_000) }) }, 'more than'],
    ['redirects', { status: 307, headers: { location: 'http://127.0.0.1:1/' } }, 'redirect'],
  ])(
    'a blocking hook that %s answers the client 503 with a reason; the server stays up',
    async (_w, answer, reason) => {
      const { server, receiver } = await setup((r) => (r.type === 'pre-create' ? answer : { status: 204 }), {
        hooksEvents: 'pre-create',
      })
      const started = Date.now()
      const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '5' } })
      expect(reply.status).toBe(503)
      expect(reply.body.toString()).toMatch(/^ERR_HOOK_FAILED: .*the pre-create hook /)
      expect(reply.body.toString()).toContain(reason)
      expect(Date.now() - started).toBeLessThan(6_000)
      // tusd's retries: 3 more attempts after a 500.
      if (answer.status === 500) expect(receiver.ofType('pre-create')).toHaveLength(4)
      const health = await send(`${server.origin}/health`)
      expect(health.status).toBe(200)
    },
  )

  it('a blocking hook endpoint that is unreachable answers 503', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-hooks-'))
    dirs.push(dataDir)
    const server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      hooksUrl: 'http://127.0.0.1:1/hooks',
      hooksSecret: SECRET,
      hooksEvents: 'pre-create',
    })
    closers.push(() => server.close())
    const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '5' } })
    expect(reply.status).toBe(503)
    expect(reply.body.toString()).toContain('is unreachable')
  })

  it('pre-finish may replace the final response; the protocol headers stay', async () => {
    const { server } = await setup(
      (r) =>
        r.type === 'pre-finish'
          ? {
              body: JSON.stringify({
                HTTPResponse: {
                  StatusCode: 200,
                  Body: '{"ok":true}',
                  Header: { 'Content-Type': 'application/json', 'X-Done': 'yes' },
                },
              }),
            }
          : { status: 204 },
      { hooksEvents: 'pre-finish,post-finish' },
    )
    const { reply } = await finishUpload(server)
    expect(reply.status).toBe(200)
    expect(reply.headers['x-done']).toBe('yes')
    expect(reply.headers['upload-offset']).toBe('5')
    expect(reply.body.toString()).toBe('{"ok":true}')
  })

  it('pre-terminate may refuse: the upload stays', async () => {
    const { server } = await setup(
      (r) =>
        r.type === 'pre-terminate' ? { body: JSON.stringify({ RejectTermination: true }) } : { status: 204 },
      { hooksEvents: 'pre-terminate' },
    )
    const { url } = await finishUpload(server)
    const reply = await send(url, { method: 'DELETE', headers: TUS })
    expect(reply.status).toBe(403)
    expect((await send(url, { method: 'HEAD', headers: TUS })).status).toBe(200)
  })

  it('a post-finish that failed (500, Retry-After) is retried with the same webhook-id until delivered', async () => {
    let failures = 2
    const { receiver, server } = await setup((r) =>
      r.type === 'post-finish' && failures-- > 0
        ? { status: 503, headers: { 'retry-after': '0' } }
        : { status: 204 },
    )
    await finishUpload(server)
    await until(() => expect(receiver.ofType('post-finish')).toHaveLength(3))
    const ids = new Set(receiver.ofType('post-finish').map((r) => r.headers['webhook-id']))
    expect(ids.size).toBe(1)
    await until(async () => expect(await server.http.listening).toBe(true))
  })

  it('post-finish is delivered after the receiver was down for a while', async () => {
    const first = await startReceiver()
    const port = first.port
    await first.close()
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-hooks-'))
    dirs.push(dataDir)
    const server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      hooksUrl: `http://127.0.0.1:${port}/hooks`,
      hooksSecret: SECRET,
      hooksEvents: 'post-finish',
      hooksRetrySchedule: '300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms',
    })
    closers.push(() => server.close())
    const { reply } = await finishUpload(server)
    expect(reply.status).toBe(204)
    await new Promise((r) => setTimeout(r, 800)) // down: a few attempts fail
    const receiver = await startReceiver(undefined, port)
    closers.push(receiver.close)
    await until(() => expect(receiver.ofType('post-finish')).toHaveLength(1))
    expect(receiver.received[0]?.signed).toBe(true)
  })

  it('410 disables the endpoint: its events become dead letters, and a retry delivers them', async () => {
    let gone = true
    const { receiver, server } = await setup(() => (gone ? { status: 410 } : { status: 204 }), {
      hooksEvents: 'post-finish',
    })
    await finishUpload(server)
    await finishUpload(server)
    const outbox = server.core && (await import('../../src/hooks/index.js')).openOutbox(server.config)
    await until(async () => expect((await outbox.counts()).dead).toBe(2))
    // Disabled after the first 410: the second event was not sent to it at all.
    expect(receiver.ofType('post-finish')).toHaveLength(1)
    const metrics = (await send(`${server.origin}/metrics`)).body.toString()
    expect(metrics).toMatch(/^tusk_outbox_dead_letters 2$/m)
    gone = false
    expect(await outbox.retryDead()).toBe(2)
    await until(() => expect(receiver.ofType('post-finish')).toHaveLength(3))
    await until(async () => expect(await outbox.counts()).toEqual({ pending: 0, dead: 0 }))
  })

  it('--hooks-format standard sends {type, timestamp, data} and reads Tusk response fields', async () => {
    const { receiver, server } = await setup(
      (r) =>
        r.type === 'pre-create' ? { body: JSON.stringify({ reject: { status: 401, message: 'who?' } }) } : {},
      { hooksFormat: 'standard', hooksEvents: 'pre-create' },
    )
    const reply = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '5' } })
    expect(reply.status).toBe(401)
    expect(reply.body.toString()).toContain('who?')
    const body = receiver.received[0]?.json as {
      type: string
      timestamp: string
      data: { upload: { size: number } }
    }
    expect(body.type).toBe('pre-create')
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false)
    expect(body.data.upload.size).toBe(5)
  })
})

describe('in-process hooks', () => {
  it('are typed functions: blocking ones are awaited and may answer; post events are called', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-hooks-'))
    dirs.push(dataDir)
    const finished: string[] = []
    const server = await startServer(
      { port: 0, dataDir, logLevel: 'silent' },
      {
        authorizer: { authorize: (check) => (check.intent === 'create' ? { owner: 'alice' } : undefined) },
        hooks: {
          'pre-create': (event) =>
            event.upload.metadata.filename === 'bad.exe'
              ? { reject: { status: 415, message: 'no .exe' } }
              : undefined,
          'post-finish': (event) => {
            finished.push(`${event.upload.id}:${event.upload.owner}:${event.upload.offset}`)
          },
        },
      },
    )
    closers.push(() => server.close())
    const refused = await send(server.url, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '3', 'Upload-Metadata': `filename ${b64('bad.exe')}` },
    })
    expect(refused.status).toBe(415)
    const { url } = await finishUpload(server, 'abc')
    await until(() => expect(finished).toEqual([`${url.split('/').pop()}:alice:3`]))
  })
})
