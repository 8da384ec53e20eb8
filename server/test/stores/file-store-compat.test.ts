import { mkdtemp, readdir, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { closeWhenDone } from '../../../test-support/lifecycle.js'
import { startTusk, type TestTusk } from '../../../test-support/tusk.js'
import { createUpload, patch as patchAt, send } from '../helpers.js'

// Issue 16 item 4: Tusk's file store keeps @tus/file-store's layout (the bytes in <dir>/<id>, the
// upload record in <dir>/<id>.json), so users move between plain @tus/server and Tusk without
// migrating. Both servers run here, as real HTTP servers, over one data directory.

const TUS = { 'Tus-Resumable': '1.0.0' }
const METADATA = `filename ${Buffer.from('report.pdf').toString('base64')},filetype ${Buffer.from('application/pdf').toString('base64')}`

let dataDir = ''
let plainUrl = ''
let tusk: TestTusk

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-compat-'))
  // Plain @tus/server as its README starts it, on node:http.
  const plain = new Server({ path: '/files', datastore: new FileStore({ directory: dataDir }) })
  const server = http.createServer((req, res) => plain.handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  plainUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`
  closeWhenDone(() => new Promise<void>((resolve) => server.close(() => resolve())))
  tusk = await startTusk({ dataDir, uploadExpiry: 0 })
})
afterAll(async () => {
  await tusk?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

async function create(endpoint: string, length: number): Promise<string> {
  const url = await createUpload(endpoint, length, { 'Upload-Metadata': METADATA })
  return new URL(url).pathname.split('/').pop() as string
}

async function patch(endpoint: string, id: string, offset: number, chunk: Buffer): Promise<number> {
  const res = await patchAt(`${endpoint}/${id}`, offset, chunk)
  expect(res.status).toBe(204)
  return Number(res.headers['upload-offset'])
}

async function head(endpoint: string, id: string) {
  const res = await send(`${endpoint}/${id}`, { method: 'HEAD', headers: TUS })
  expect(res.status).toBe(200)
  const metadata = res.headers['upload-metadata']
  return {
    offset: Number(res.headers['upload-offset']),
    length: Number(res.headers['upload-length']),
    metadata: typeof metadata === 'string' ? metadata : null,
  }
}

async function download(endpoint: string, id: string): Promise<Buffer> {
  const res = await fetch(`${endpoint}/${id}`)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

const metadataPairs = (header: string | null) => new Set((header ?? '').split(','))

describe('one data directory, plain @tus/server + @tus/file-store and Tusk', () => {
  it('Tusk resumes and serves an upload plain @tus/server started', async () => {
    const data = bytes(3 * 2 ** 20 + 17, 61)
    const half = 2 ** 20 + 5
    const id = await create(plainUrl, data.length)
    expect(await patch(plainUrl, id, 0, data.subarray(0, half))).toBe(half)

    const seen = await head(tusk.url, id)
    expect(seen).toMatchObject({ offset: half, length: data.length })
    expect(metadataPairs(seen.metadata)).toEqual(metadataPairs(METADATA))
    expect(await patch(tusk.url, id, half, data.subarray(half))).toBe(data.length)
    expect(sha256(await download(tusk.url, id))).toBe(sha256(data))
    // And plain @tus/server sees it finished, byte for byte.
    expect((await head(plainUrl, id)).offset).toBe(data.length)
    expect(sha256(await download(plainUrl, id))).toBe(sha256(data))
  })

  it('plain @tus/server resumes and serves an upload Tusk started (with data on creation)', async () => {
    const data = bytes(2 * 2 ** 20 + 3, 62)
    const first = 700_001
    const res = await fetch(tusk.url, {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(data.length),
        'Upload-Metadata': METADATA,
        'Content-Type': 'application/offset+octet-stream',
      },
      body: data.subarray(0, first),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('upload-offset')).toBe(String(first))
    const id = new URL(res.headers.get('location') as string).pathname.split('/').pop() as string

    const seen = await head(plainUrl, id)
    expect(seen).toMatchObject({ offset: first, length: data.length })
    // Plain @tus/server lists every stored key: the client's, and Tusk's own record keys (names
    // starting with a space, which no client key can have), e.g. " tusk.upload-metadata".
    const pairs = metadataPairs(seen.metadata)
    for (const pair of metadataPairs(METADATA)) expect(pairs).toContain(pair)
    for (const pair of pairs) if (!metadataPairs(METADATA).has(pair)) expect(pair).toMatch(/^ tusk\./)
    expect(await patch(plainUrl, id, first, data.subarray(first))).toBe(data.length)
    expect(sha256(await download(plainUrl, id))).toBe(sha256(data))
    expect((await head(tusk.url, id)).offset).toBe(data.length)
    expect(sha256(await download(tusk.url, id))).toBe(sha256(data))
  })

  it('terminations by either server remove what the other stored', async () => {
    const byPlain = await create(plainUrl, 10)
    const byTusk = await create(tusk.url, 10)
    expect((await fetch(`${tusk.url}/${byPlain}`, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect((await fetch(`${plainUrl}/${byTusk}`, { method: 'DELETE', headers: TUS })).status).toBe(204)
    const left = await readdir(dataDir)
    expect(left.filter((name) => name.startsWith(byPlain) || name.startsWith(byTusk))).toEqual([])
    expect((await fetch(`${plainUrl}/${byPlain}`, { method: 'HEAD', headers: TUS })).status).toBe(404)
    expect((await fetch(`${tusk.url}/${byTusk}`, { method: 'HEAD', headers: TUS })).status).toBe(404)
  })
})
