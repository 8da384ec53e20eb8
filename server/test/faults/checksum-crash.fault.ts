import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { createUpload, patch } from '../helpers.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { tusRequest } from './harness/tus-requests.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

// A chunk sent with Upload-Checksum counts only once verified: "the uploaded chunk MUST be
// discarded, and the upload and its offset MUST NOT be updated" when it fails. The file store writes
// such a chunk once, in place, marked unverified in the upload's record (issue 16: no staging copy),
// so the rule must hold across a kill -9 in the middle of it: after a restart HEAD shows the offset
// before the chunk, and the next PATCH, verified or not, continues from there.

let tusk: TuskProcess | undefined
let dataDir = ''
afterAll(async () => {
  await killTree(tusk)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const checksum = (data: Buffer) => `sha256 ${createHash('sha256').update(data).digest('base64')}`

async function offsetOf(url: string): Promise<number> {
  const res = await tusRequest(url, 'HEAD')
  expect(res.status).toBe(200)
  return Number(res.headers['upload-offset'])
}

it('keeps a verified chunk cut by kill -9 out of the offset: HEAD after restart shows the offset before it', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-checksum-crash-'))
  tusk = await startTusk([`--data-dir=${dataDir}`, '--log-level=warn'])
  const port = tusk.port
  const data = bytes(24 * MiB, 71)
  const pathname = new URL(await createUpload(tusk.url, data.length)).pathname
  const id = pathname.split('/').pop() as string
  const dataFile = path.join(dataDir, id)
  const url = () => `${(tusk as TuskProcess).origin}${pathname}`
  expect((await patch(url(), 0, data.subarray(0, 4 * MiB))).status).toBe(204)

  // A verified PATCH of 16 MiB whose client sends 8 MiB and then waits: the server is killed while
  // those bytes sit in the data file, unverified.
  const chunk = data.subarray(4 * MiB, 20 * MiB)
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(
    `PATCH ${pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: ${4 * MiB}\r\n` +
      `Content-Type: application/offset+octet-stream\r\nUpload-Checksum: ${checksum(chunk)}\r\n` +
      `Content-Length: ${chunk.length}\r\n\r\n`,
  )
  socket.write(chunk.subarray(0, 8 * MiB))
  await waitUntil(async () => (await stat(dataFile)).size >= 8 * MiB, 20_000, 'unverified bytes on disk')
  // Mid-chunk, HEAD already says the chunk does not count (yet).
  const record = JSON.parse(await readFile(`${dataFile}.json`, 'utf8'))
  expect(record['tusk.unverifiedFrom']).toBe(4 * MiB)
  await tusk.stop('SIGKILL')
  socket.destroy()

  tusk = await startTusk([`--data-dir=${dataDir}`, '--log-level=warn'], { port })
  expect(await offsetOf(url())).toBe(4 * MiB)
  // A plain PATCH shorter than the unverified bytes left on disk: the store cuts them off first.
  const plain = await patch(url(), 4 * MiB, data.subarray(4 * MiB, 5 * MiB))
  expect(plain.status).toBe(204)
  expect(plain.headers['upload-offset']).toBe(String(5 * MiB))
  expect((await stat(dataFile)).size).toBe(5 * MiB)
  // A verified chunk that fails is cut off and never counts; the right one does.
  const rest = data.subarray(5 * MiB)
  const wrong = await patch(url(), 5 * MiB, rest, { 'Upload-Checksum': checksum(Buffer.from('other')) })
  expect(wrong.status).toBe(460)
  expect(await offsetOf(url())).toBe(5 * MiB)
  expect((await stat(dataFile)).size).toBe(5 * MiB)
  const right = await patch(url(), 5 * MiB, rest, { 'Upload-Checksum': checksum(rest) })
  expect(right.status).toBe(204)
  expect(right.headers['upload-offset']).toBe(String(data.length))
  const downloaded = Buffer.from(await (await fetch(url())).arrayBuffer())
  expect(sha256(downloaded)).toBe(sha256(data))
  expect(JSON.parse(await readFile(`${dataFile}.json`, 'utf8'))).not.toHaveProperty(['tusk.unverifiedFrom'])
})
