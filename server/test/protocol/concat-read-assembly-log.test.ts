import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, expect, it } from 'vitest'
import { createTuskEngine, type TuskEngine } from '../../src/engine.js'

let dataDir = ''
let engine: TuskEngine | undefined
afterAll(async () => {
  await engine?.close()
  await rm(dataDir, { recursive: true, force: true })
})

it('logs, with the upload id and cause, an assembly that failed on a read of the final upload', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-read-assembly-'))
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  engine = await createTuskEngine({ dataDir, logLevel: 'warn' }, { logger })
  const request = { method: 'HEAD', url: '/files', remoteAddress: undefined, headers: {} }
  const ctx = { request, signal: new AbortController().signal }
  const partial = await engine.core.create({ size: 3, metadata: undefined, concat: 'partial' }, ctx)
  const final = await engine.core.concatenate(
    { partialIds: [partial.id], metadata: undefined, concat: `final;${partial.id}` },
    ctx,
  )
  // The partial finishes behind the core's back (as if the request finishing it died before
  // assembling), and the store's copy fails: the next read tries to assemble, and cannot.
  await engine.store.datastore.write(Readable.from([Buffer.from('abc')]), partial.id, 0)
  const store = engine.store as { concatenate?: unknown }
  store.concatenate = async () => {
    throw new Error('disk on fire')
  }

  const read = await engine.core.read(final.id, ctx)
  expect(read.offset).toBe(0)
  const line = lines.find((l) => l.uploadId === final.id)
  expect(line).toMatchObject({ level: 40, err: expect.objectContaining({ message: 'disk on fire' }) })
})
