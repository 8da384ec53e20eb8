// Uploads a file with @tusk/client from Node: live progress, a pause and a resume half-way, and
// the typed result. Usage:
//   node upload.mjs [file] [endpoint]
// Without an endpoint it starts a throw-away Tusk server on a free port; without a file it makes
// a 32 MiB file of random bytes.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryUrlStorage, upload } from '@tusk/client'

const [fileArg, endpointArg] = process.argv.slice(2)
const scratch = await mkdtemp(join(tmpdir(), 'tusk-example-'))
let server
let endpoint = endpointArg
if (!endpoint) {
  const { startServer } = await import('@tusk/server')
  server = await startServer({ port: 0, dataDir: join(scratch, 'data'), logLevel: 'warn' })
  endpoint = server.url
  console.log(`started a Tusk server at ${endpoint}`)
}
const file = fileArg ?? join(scratch, 'example.bin')
if (!fileArg) await writeFile(file, randomBytes(32 * 1024 * 1024))

const handle = upload(file, {
  endpoint,
  chunkSize: 4 * 1024 * 1024,
  metadata: { purpose: 'example' },
  // The default store remembers URLs under ~/.local/state/tusk; the example keeps them in memory.
  urlStorage: new MemoryUrlStorage(),
})

let paused = false
handle.on('progress', (p) => {
  const pct = p.bytesTotal ? ((p.bytesAcknowledged / p.bytesTotal) * 100).toFixed(0) : '?'
  process.stdout.write(
    `\r${pct}% acknowledged, ${(p.rate / 1048576).toFixed(1)} MiB/s, ETA ${p.etaSeconds?.toFixed(1) ?? '?'}s   `,
  )
  if (!paused && p.bytesTotal && p.bytesAcknowledged > p.bytesTotal / 2) {
    paused = true
    void handle.pause().then(() => {
      console.log(`\npaused at ${handle.url}; resuming in 1s`)
      setTimeout(() => handle.resume(), 1000)
    })
  }
})

const result = await handle.start().done
console.log()
if (result.ok) {
  console.log(`uploaded ${result.size} bytes to ${result.url} (resumed at byte ${result.resumedFrom})`)
  const local = createHash('sha256')
  for await (const chunk of createReadStream(file)) local.update(chunk)
  const remote = createHash('sha256').update(Buffer.from(await (await fetch(result.url)).arrayBuffer()))
  console.log(local.digest('hex') === remote.digest('hex') ? 'stored bytes are identical' : 'MISMATCH')
} else {
  console.error(`upload failed: ${result.error.code} ${result.error.status ?? ''} ${result.error.message}`)
  process.exitCode = 1
}
await server?.close()
await rm(scratch, { recursive: true, force: true })
