import { mkdtemp, rm, stat } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { bytes } from '../../test-support/bytes.js'
import { spawnTusk } from '../../test-support/tusk-process.js'
import { until } from '../../test-support/until.js'
import { createUpload, send, TUS } from './helpers.js'

/** The real command line (the test kit's child-process starter) over a data directory, logging at info. */
async function startProcess(args: string[] = [], existingDataDir?: string) {
  const dataDir = existingDataDir ?? (await mkdtemp(path.join(tmpdir(), 'tusk-shutdown-')))
  const tusk = await spawnTusk([`--data-dir=${dataDir}`, '--log-level=info', ...args])
  let signalledAt = 0
  const exited = tusk.exited.then(() => ({ code: tusk.child.exitCode, ms: Date.now() - signalledAt }))
  const signal = (name: NodeJS.Signals) => {
    signalledAt = Date.now()
    tusk.child.kill(name)
  }
  /** Resolves once the process has logged that it is shutting down (it has handled the signal). */
  const draining = () =>
    until(() => tusk.output().includes('shutting down gracefully'), 5_000, 'the shutdown log line')
  const cleanup = () => rm(dataDir, { recursive: true, force: true })
  return { child: tusk.child, url: tusk.url, dataDir, exited, signal, draining, cleanup }
}

/** Resolves once the upload's file holds `size` bytes: the PATCH is in flight, part-way. */
const onDisk = (dataDir: string, uploadUrl: string, size: number) =>
  until(
    async () => (await stat(path.join(dataDir, uploadUrl.split('/').pop() as string))).size === size,
    5_000,
    `${size} bytes of the PATCH on disk`,
  )

/** Starts a PATCH that sends `first` bytes of `total` now and the rest when asked. */
function slowPatch(url: string, total: Buffer, first: number) {
  const target = new URL(url)
  let response = ''
  const socket = net.connect(Number(target.port), target.hostname)
  socket.on('data', (d) => {
    response += d
  })
  socket.on('error', () => {})
  socket.write(
    `PATCH ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n` +
      `Content-Type: application/offset+octet-stream\r\nContent-Length: ${total.length}\r\n\r\n`,
  )
  socket.write(total.subarray(0, first))
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  return { finish: () => socket.write(total.subarray(first)), response: () => response, closed }
}

describe('graceful shutdown', () => {
  it('on SIGTERM lets an in-flight PATCH finish, refuses new connections, and exits 0', async () => {
    const server = await startProcess(['--shutdown-timeout', '5s'])
    const data = bytes(200_000, 41)
    const upload = await createUpload(server.url, data.length)
    const inFlight = slowPatch(upload, data, 50_000)
    await onDisk(server.dataDir, upload, 50_000)
    server.signal('SIGTERM')
    await server.draining()
    // No new connections while draining (the listener closes right after the signal is handled).
    await until(
      () =>
        send(server.url, { method: 'OPTIONS' }).then(
          () => false,
          () => true,
        ),
      5_000,
      'a new connection refused while draining',
    )
    inFlight.finish()
    await inFlight.closed
    expect(inFlight.response()).toMatch(/^HTTP\/1\.1 204/)
    expect((await server.exited).code).toBe(0)
    expect((await stat(path.join(server.dataDir, upload.split('/').pop() as string))).size).toBe(data.length)
    await server.cleanup()
  })

  it('after the shutdown timeout cuts the stalled PATCH, keeps the bytes it received, and exits 0', async () => {
    const server = await startProcess(['--shutdown-timeout', '500ms'])
    const data = bytes(300_000, 42)
    const upload = await createUpload(server.url, data.length)
    slowPatch(upload, data, 100_000)
    await onDisk(server.dataDir, upload, 100_000)
    server.signal('SIGTERM')
    const exit = await server.exited
    expect(exit.code).toBe(0)
    expect(exit.ms).toBeLessThan(4_000)
    const stored = (await stat(path.join(server.dataDir, upload.split('/').pop() as string))).size
    expect(stored).toBeGreaterThan(0)
    expect(stored).toBeLessThanOrEqual(100_000)
    // A restarted server reports exactly the stored bytes, and the upload resumes from there.
    const again = await startProcess([], server.dataDir)
    const head = await send(`${again.url}/${upload.split('/').pop()}`, { method: 'HEAD', headers: TUS })
    expect(head.headers['upload-offset']).toBe(String(stored))
    again.signal('SIGTERM')
    await again.exited
    await server.cleanup()
  })

  it('exits at once on a second signal', async () => {
    const server = await startProcess(['--shutdown-timeout', '30s'])
    const data = bytes(100_000, 43)
    const upload = await createUpload(server.url, data.length)
    slowPatch(upload, data, 10_000)
    await onDisk(server.dataDir, upload, 10_000)
    server.signal('SIGTERM')
    await server.draining()
    server.child.kill('SIGINT')
    const exit = await server.exited
    expect(exit.code).toBe(1)
    expect(exit.ms).toBeLessThan(2_000)
    await server.cleanup()
  })
})
