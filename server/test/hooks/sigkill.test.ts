import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createUpload, patch } from '../helpers.js'
import { SECRET, startReceiver, until } from './receiver.js'

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
const children: ChildProcess[] = []
const dirs: string[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/** The built tusk-server as a child process; resolves once it serves. */
async function startTusk(port: number, dataDir: string, hooksUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, '--port', String(port), '--data-dir', dataDir], {
    env: {
      ...process.env,
      TUSK_HOOKS_URL: hooksUrl,
      TUSK_HOOKS_SECRET: SECRET,
      TUSK_HOOKS_EVENTS: 'post-finish',
      TUSK_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('serving tus uploads')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`tusk-server exited with ${code}`)))
  })
  return child
}

describe('at-least-once delivery across a SIGKILL', () => {
  it('post-finish is delivered by the restarted server after Tusk was killed right after the upload finished', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-sigkill-'))
    dirs.push(dataDir)
    // The receiver takes the first delivery and never answers: the event is in flight when Tusk dies.
    let hang = true
    const receiver = await startReceiver(() => (hang ? { hang: true } : { status: 204 }))
    const port = await freePort()
    const first = await startTusk(port, dataDir, receiver.url)
    const endpoint = `http://127.0.0.1:${port}/files`
    const url = await createUpload(endpoint, 5)
    expect((await patch(url, 0, Buffer.from('hello'))).status).toBe(204)
    await until(() => expect(receiver.ofType('post-finish')).toHaveLength(1))
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    hang = false
    const second = await startTusk(port, dataDir, receiver.url)
    await until(() => expect(receiver.ofType('post-finish')).toHaveLength(2), 15_000)
    const [lost, delivered] = receiver.ofType('post-finish')
    // The same event (the receiver deduplicates on webhook-id), signed, about this upload.
    expect(delivered?.headers['webhook-id']).toBe(lost?.headers['webhook-id'])
    expect(delivered?.signed).toBe(true)
    expect((delivered?.json.Event as { Upload: { ID: string } } | undefined)?.Upload.ID).toBe(
      url.split('/').pop(),
    )
    second.kill('SIGTERM')
    await new Promise((resolve) => second.once('exit', resolve))
    await receiver.close()
  })
})
