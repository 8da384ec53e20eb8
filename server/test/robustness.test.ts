import { readdir, stat } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../test-support/bytes.js'
import { startTusk } from '../../test-support/tusk.js'
import { until } from '../../test-support/until.js'
import { createUpload, patch, send, TUS } from './helpers.js'

/** Sends a PATCH whose Content-Length promises `length` bytes, writes `sent` of them, then runs `then`. */
function partialPatch(
  url: string,
  offset: number,
  length: number,
  data: Buffer,
  then: (s: net.Socket) => void,
) {
  const target = new URL(url)
  return new Promise<void>((resolve) => {
    const socket = net.connect(Number(target.port), target.hostname, () => {
      socket.write(
        `PATCH ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nTus-Resumable: 1.0.0\r\n` +
          `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${length}\r\n\r\n`,
      )
      socket.write(data, () => then(socket))
    })
    socket.on('close', () => resolve())
    socket.on('error', () => {})
  })
}

async function offsetOf(url: string): Promise<number> {
  const head = await send(url, { method: 'HEAD', headers: TUS })
  return Number(head.headers['upload-offset'])
}

async function waitForOffset(url: string, expected: number) {
  await until(async () => (await offsetOf(url)) === expected, 2_000, `HEAD to report offset ${expected}`)
  return offsetOf(url)
}

describe('robustness against clients that go away or stall', async () => {
  const server = await startTusk({ idleTimeout: 600, headersTimeout: 500 })

  it('keeps the bytes received before a client disconnects mid-PATCH; HEAD reports exactly the stored bytes; resume completes byte-exact', async () => {
    const data = bytes(2 * 1024 * 1024, 21)
    const url = await createUpload(server.url, data.length)
    const sent = 700_000
    await partialPatch(url, 0, data.length, data.subarray(0, sent), (socket) => socket.destroy())
    // Every byte the client sent before it hung up reached the server (its kernel delivered them
    // before the FIN), so every one is stored and counted.
    const offset = await waitForOffset(url, sent)
    expect(offset).toBe(sent)
    const id = url.split('/').pop() as string
    expect((await stat(path.join(server.dataDir, id))).size).toBe(offset)
    expect((await send(url, { method: 'HEAD', headers: TUS })).headers['upload-offset']).toBe(String(offset))
    expect((await patch(url, offset, data.subarray(offset))).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })

  it('closes a connection whose body stalls for idleTimeout, keeping what arrived (slow loris body)', async () => {
    const data = bytes(100_000, 22)
    const url = await createUpload(server.url, data.length)
    const started = Date.now()
    await partialPatch(url, 0, data.length, data.subarray(0, 40_000), () => {
      /* then say nothing */
    })
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(500)
    expect(await waitForOffset(url, 40_000)).toBe(40_000)
  })

  it('closes a connection that never finishes its headers (slow loris headers)', async () => {
    const port = Number(new URL(server.origin).port)
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('HEAD /files HTTP/1.1\r\nHost: x\r\n'))
      const timer = setTimeout(() => resolve(false), 5_000)
      socket.on('close', () => {
        clearTimeout(timer)
        resolve(true)
      })
      socket.on('error', () => {})
      socket.resume() // read the server's answer, so its FIN is seen
      // Trickle a header line now and then, never the blank line that ends them.
      const trickle = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 100)
      socket.on('close', () => clearInterval(trickle))
    })
    expect(closed).toBe(true)
  })

  it('never stores more than one valid history under concurrent PATCHes at the same offset', async () => {
    const a = bytes(300_000, 31)
    const b = bytes(300_000, 32)
    const url = await createUpload(server.url, a.length)
    const replies = await Promise.all([patch(url, 0, a), patch(url, 0, b)])
    const stored = (await send(url)).body
    const offset = await offsetOf(url)
    expect(replies.map((r) => r.status).sort()).toContain(204)
    if (offset === a.length) expect([sha256(a), sha256(b)]).toContain(sha256(stored))
    for (const r of replies) expect(r.status).toBeLessThan(500)
  })
})

describe('expiration', async () => {
  const server = await startTusk({ uploadExpiry: 300, cleanupInterval: 200 })

  it('announces Upload-Expires on creation and PATCH of an unfinished upload', async () => {
    const create = await send(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '10' } })
    expect(Date.parse(String(create.headers['upload-expires']))).toBeGreaterThan(Date.now() - 1000)
    const reply = await patch(String(create.headers.location), 0, Buffer.from('abc'))
    expect(reply.headers['upload-expires']).toBeTruthy()
  })

  it('deletes expired unfinished uploads periodically and keeps finished ones', async () => {
    const unfinished = await createUpload(server.url, 10)
    await patch(unfinished, 0, Buffer.from('abc'))
    const finished = await createUpload(server.url, 3)
    await patch(finished, 0, Buffer.from('xyz'))
    // The periodic cleanup (every 200 ms) removes it once it has expired (after 300 ms).
    await until(
      async () => !(await readdir(server.dataDir)).includes(unfinished.split('/').pop() as string),
      5_000,
      'the expired upload removed from the data directory',
    )
    const files = await readdir(server.dataDir)
    expect(files).not.toContain(unfinished.split('/').pop())
    expect(files).toContain(finished.split('/').pop())
    expect((await send(finished)).body.toString()).toBe('xyz')
  })
})

describe('a request whose client went away', () => {
  it('settles at once, so close() does not wait for the shutdown timeout (no leaked in-flight request)', async () => {
    const server = await startTusk({ shutdownTimeout: 10_000 })
    const data = bytes(500_000, 51)
    const url = await createUpload(server.url, data.length)
    await partialPatch(url, 0, data.length, data.subarray(0, 200_000), (socket) => socket.destroy())
    // HEAD takes the upload's lock, so it answers once the cut PATCH has settled on the server.
    expect(await offsetOf(url)).toBeLessThanOrEqual(200_000)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})
