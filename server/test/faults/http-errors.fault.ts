import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let dataDir = ''
dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-http-'))
tusk = await startTusk([`--data-dir=${dataDir}`, '--log-level=warn', '--headers-timeout=1s'])
afterAll(async () => {
  await killTree(tusk)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** Writes raw bytes, returns everything the server sends until it closes (or `limit` ms pass). */
function raw(port: number, bytes: string, limit = 10_000): Promise<{ reply: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    let reply = ''
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes))
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no close within ${limit} ms; got: ${JSON.stringify(reply)}`))
    }, limit)
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ reply, ms: Date.now() - started })
    })
  })
}

const bodyOf = (reply: string) => reply.slice(reply.indexOf('\r\n\r\n') + 4)

it('answers headers that never finish with 408 and a reason once the headers timeout passes', async () => {
  const { reply, ms } = await raw(tusk?.port as number, 'HEAD /files HTTP/1.1\r\nHost: x\r\nTus-Resu')
  expect(reply).toMatch(/^HTTP\/1\.1 408 /)
  expect(bodyOf(reply)).toMatch(/headers/)
  expect(ms).toBeLessThan(5_000)
})

it('answers oversized request headers with 431 and a reason', async () => {
  const { reply } = await raw(
    tusk?.port as number,
    `HEAD /files HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  )
  expect(reply).toMatch(/^HTTP\/1\.1 431 /)
  expect(bodyOf(reply)).toMatch(/too large/)
})

it('answers a malformed request line with 400 and a reason', async () => {
  const { reply } = await raw(tusk?.port as number, 'NOT HTTP AT ALL\r\n\r\n')
  expect(reply).toMatch(/^HTTP\/1\.1 400 /)
  expect(bodyOf(reply).length).toBeGreaterThan(0)
})
