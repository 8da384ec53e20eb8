import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { bytes } from '../../test-support/bytes.js'
import { createUpload, send, TUS } from './helpers.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** Starts the real command line on a free port; resolves with its URL once it says it is serving. */
async function startProcess(args: string[] = []) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-shutdown-'))
  const child = spawn(
    process.execPath,
    [MAIN, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.push(child)
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
    let signalledAt = 0
    child.once('spawn', () => {})
    ;(child as ChildProcess & { markSignal?: () => void }).markSignal = () => {
      signalledAt = Date.now()
    }
    child.once('exit', (code) => resolve({ code, ms: Date.now() - signalledAt }))
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d) => {
      out += d
      const match = /serving tus uploads at (\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', () => reject(new Error(`exited early: ${out}`)))
  })
  const signal = (name: NodeJS.Signals) => {
    ;(child as ChildProcess & { markSignal: () => void }).markSignal()
    child.kill(name)
  }
  return { child, url, dataDir, exited, signal, cleanup: () => rm(dataDir, { recursive: true, force: true }) }
}

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
    await new Promise((r) => setTimeout(r, 200))
    server.signal('SIGTERM')
    await new Promise((r) => setTimeout(r, 200))
    // No new connections while draining.
    await expect(send(server.url, { method: 'OPTIONS' })).rejects.toThrow()
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
    await new Promise((r) => setTimeout(r, 300))
    server.signal('SIGTERM')
    const exit = await server.exited
    expect(exit.code).toBe(0)
    expect(exit.ms).toBeLessThan(4_000)
    const stored = (await stat(path.join(server.dataDir, upload.split('/').pop() as string))).size
    expect(stored).toBeGreaterThan(0)
    expect(stored).toBeLessThanOrEqual(100_000)
    // A restarted server reports exactly the stored bytes, and the upload resumes from there.
    const again = await startProcess(['--data-dir', server.dataDir])
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
    await new Promise((r) => setTimeout(r, 200))
    server.signal('SIGTERM')
    await new Promise((r) => setTimeout(r, 200))
    server.child.kill('SIGINT')
    const exit = await server.exited
    expect(exit.code).toBe(1)
    expect(exit.ms).toBeLessThan(2_000)
    await server.cleanup()
  })
})
