import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { ERRORS, Upload } from '@tus/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { newMetadataRecord } from '../../src/model/record.js'
import type { TuskStore } from '../../src/stores/types.js'

// The store contract: what the protocol layer relies on, checked against every store Tusk ships
// (file-store.test.ts, s3-store.test.ts). Sizes straddle S3's 5 MiB minimum part size on purpose:
// stores configured with 5 MiB parts see chunks below, at and above a part.

export const MiB = 2 ** 20

export interface StoreFixture {
  readonly store: TuskStore
  /** A second store over the same storage: another process or machine of the same deployment. */
  reopen(): Promise<TuskStore>
  /** The names of everything stored for this upload id: files, objects, open multipart uploads. */
  residue(id: string): Promise<string[]>
  dispose(): Promise<void>
}

export interface StoreTarget {
  readonly name: string
  /** Fresh, empty storage for one suite; `uploadExpiry` as the server option of that name (0 = never). */
  open(options: { uploadExpiry: number }): Promise<StoreFixture>
}

const newId = () => randomBytes(16).toString('hex')

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

/** The bytes, as a request body would arrive: in network-sized pieces. */
function body(data: Buffer): Readable {
  const pieces: Buffer[] = []
  for (let at = 0; at < data.length; at += 256 * 1024) pieces.push(data.subarray(at, at + 256 * 1024))
  return Readable.from(pieces)
}

/** A body whose connection breaks after `sent` bytes. */
function brokenBody(data: Buffer, sent: number): Readable {
  return Readable.from(
    (async function* () {
      yield* body(data.subarray(0, sent))
      await sleep(10)
      throw new Error('connection reset by peer')
    })(),
  )
}

async function create(
  store: TuskStore,
  size: number | undefined,
  metadata: Record<string, string | null> = {},
) {
  const upload = new Upload({ id: newId(), size, offset: 0, metadata })
  await store.datastore.create(upload)
  return upload.id
}

/** A finished partial upload (concatenation) holding `data`. */
async function finishedPartial(store: TuskStore, data: Buffer): Promise<Upload> {
  const id = await create(store, data.length, newMetadataRecord(undefined, 'partial'))
  if (data.length > 0) await store.datastore.write(body(data), id, 0)
  return store.datastore.getUpload(id)
}

async function offsetOf(store: TuskStore, id: string): Promise<number> {
  return (await store.datastore.getUpload(id)).offset
}

/**
 * The contract's two blocks, and those of every other target described in the same file, run at the
 * same time: each opens a fixture of its own (its own directory, bucket or container) and mostly
 * waits on the store's service or on the expiry. Within a block, the tests run one after another.
 */
export function describeStoreContract(target: StoreTarget): void {
  describe.concurrent(`store contract: ${target.name}`, () => {
    let fixture: StoreFixture
    let store: TuskStore
    beforeAll(async () => {
      fixture = await target.open({ uploadExpiry: 0 })
      store = fixture.store
    })
    afterAll(async () => {
      await fixture?.dispose()
    })

    it.sequential('creates an upload at offset 0 that keeps its length and metadata', async () => {
      const id = await create(store, 1234, { filename: 'report.pdf', filetype: 'application/pdf' })
      const upload = await store.datastore.getUpload(id)
      expect(upload.offset).toBe(0)
      expect(upload.size).toBe(1234)
      expect(upload.metadata).toEqual({ filename: 'report.pdf', filetype: 'application/pdf' })
      expect(Number.isFinite(Date.parse(upload.creation_date as string))).toBe(true)
    })

    it.sequential('reports an unknown upload as not found', async () => {
      await expect(store.datastore.getUpload(newId())).rejects.toBe(ERRORS.FILE_NOT_FOUND)
      await expect(store.stat(newId())).rejects.toMatchObject({ status: 404 })
    })

    it.sequential('stores chunks of any size, reports the offset after each one, and reads back the same bytes', async () => {
      // 1 MiB and 1.5 MiB (below a part), 6 MiB (above), 300 KiB, then the rest.
      const chunks = [MiB, 1.5 * MiB, 6 * MiB, 300 * 1024, 2 * MiB + 12345]
      const data = bytes(
        chunks.reduce((a, b) => a + b),
        21,
      )
      const id = await create(store, data.length)
      let offset = 0
      for (const size of chunks) {
        const next = await store.datastore.write(body(data.subarray(offset, offset + size)), id, offset)
        offset += size
        expect(next).toBe(offset)
        expect(await offsetOf(store, id)).toBe(offset)
      }
      const upload = await store.datastore.getUpload(id)
      expect(upload.offset).toBe(upload.size)
      const object = await store.stat(id)
      expect(object.size).toBe(data.length)
      expect(object.etag).toMatch(/^(W\/)?".+"$/)
      expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
    })

    it.sequential('reads any byte range of a finished upload', async () => {
      const data = bytes(5 * MiB + 777, 5)
      const id = await create(store, data.length)
      await store.datastore.write(body(data), id, 0)
      const ranges = [
        { start: 0, end: 0 },
        { start: 0, end: 99 },
        { start: 5 * MiB - 10, end: 5 * MiB + 10 },
        { start: data.length - 1, end: data.length - 1 },
        { start: 1000, end: data.length - 1 },
      ]
      for (const range of ranges) {
        const got = await readAll(await store.createReadStream(id, range))
        expect(got.equals(data.subarray(range.start, range.end + 1))).toBe(true)
      }
    })

    it.sequential('keeps the bytes received before a write broke off, and resumes from the offset it reports', async () => {
      const data = bytes(9 * MiB + 99, 8)
      const id = await create(store, data.length)
      const sent = 6 * MiB + 500 * 1024
      // The write fails (the caller learns the body broke off)...
      await expect(store.datastore.write(brokenBody(data, sent), id, 0)).rejects.toBeTruthy()
      const offset = await offsetOf(store, id)
      // ...but every byte that arrived is kept: the client does not have to send any of it again.
      expect(offset).toBe(sent)
      expect(await store.datastore.write(body(data.subarray(offset)), id, offset)).toBe(data.length)
      expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
    })

    it.sequential('resumes through another instance over the same storage, which sees the same offset', async () => {
      const other = await fixture.reopen()
      try {
        const data = bytes(7 * MiB + 3, 9)
        const id = await create(store, data.length, { filename: 'moved.bin' })
        await store.datastore.write(body(data.subarray(0, 2 * MiB)), id, 0)
        expect(await offsetOf(other, id)).toBe(2 * MiB)
        expect(await other.datastore.write(body(data.subarray(2 * MiB)), id, 2 * MiB)).toBe(data.length)
        const seen = await store.datastore.getUpload(id)
        expect(seen.offset).toBe(data.length)
        expect(seen.metadata).toEqual({ filename: 'moved.bin' })
        expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
      } finally {
        await other.close()
      }
    })

    it.sequential('accepts an upload of deferred length, finished after the length is declared (also by another instance)', async () => {
      const other = await fixture.reopen()
      try {
        const data = bytes(3 * MiB + 5, 10)
        const id = await create(store, undefined)
        expect((await store.datastore.getUpload(id)).size).toBeUndefined()
        await store.datastore.write(body(data.subarray(0, MiB)), id, 0)
        expect(await offsetOf(store, id)).toBe(MiB)
        await other.datastore.declareUploadLength(id, data.length)
        expect((await store.datastore.getUpload(id)).size).toBe(data.length)
        expect(await store.datastore.write(body(data.subarray(MiB)), id, MiB)).toBe(data.length)
        const upload = await store.datastore.getUpload(id)
        expect(upload.offset).toBe(data.length)
        expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
      } finally {
        await other.close()
      }
    })

    it.sequential('finishes a zero-length upload at creation: it reads back as 0 bytes', async () => {
      const id = await create(store, 0)
      const upload = await store.datastore.getUpload(id)
      expect(upload.offset).toBe(0)
      expect(upload.size).toBe(0)
      expect((await store.stat(id)).size).toBe(0)
    })

    it.sequential('terminating an unfinished upload (with a tail shorter than a part) deletes everything it stored', async () => {
      const data = bytes(7 * MiB, 12)
      const id = await create(store, data.length)
      // 6 MiB: one full 5 MiB part plus a 1 MiB tail that S3 keeps as `<id>.part`.
      await store.datastore.write(body(data.subarray(0, 6 * MiB)), id, 0)
      expect(await offsetOf(store, id)).toBe(6 * MiB)
      expect(await fixture.residue(id)).not.toEqual([])
      await store.datastore.remove(id)
      expect(await fixture.residue(id)).toEqual([])
      await expect(store.datastore.getUpload(id)).rejects.toBe(ERRORS.FILE_NOT_FOUND)
    })

    it.sequential('terminating a finished upload deletes its bytes and its record', async () => {
      const data = bytes(MiB + 1, 13)
      const id = await create(store, data.length)
      await store.datastore.write(body(data), id, 0)
      expect((await store.stat(id)).size).toBe(data.length)
      await store.datastore.remove(id)
      expect(await fixture.residue(id)).toEqual([])
      await expect(store.datastore.getUpload(id)).rejects.toBe(ERRORS.FILE_NOT_FOUND)
      await expect(store.stat(id)).rejects.toMatchObject({ status: 404 })
    })

    it.sequential('terminating an upload another instance already terminated reports not found', async () => {
      const other = await fixture.reopen()
      try {
        const id = await create(store, 10)
        await store.datastore.write(body(Buffer.from('0123456789')), id, 0)
        expect((await other.datastore.getUpload(id)).offset).toBe(10)
        await store.datastore.remove(id)
        await expect(other.datastore.getUpload(id)).rejects.toBe(ERRORS.FILE_NOT_FOUND)
        await expect(other.datastore.remove(id)).rejects.toBe(ERRORS.FILE_NOT_FOUND)
      } finally {
        await other.close()
      }
    })

    it.sequential('concatenates finished partial uploads, in order and with repeats, into the final upload', async () => {
      expect(store.concatenate).toBeTypeOf('function')
      const pieces = [bytes(6 * MiB + 1, 41), bytes(MiB, 42), bytes(0, 43), bytes(2 * MiB + 7, 44)]
      const partials = []
      for (const piece of pieces) partials.push(await finishedPartial(store, piece))
      const order = [partials[0], partials[1], partials[2], partials[3], partials[1]] as Upload[]
      const expected = Buffer.concat([pieces[0], pieces[1], pieces[2], pieces[3], pieces[1]] as Buffer[])
      const final = new Upload({
        id: newId(),
        size: expected.length,
        offset: 0,
        metadata: newMetadataRecord(undefined, 'final;a b c d b'),
      })
      await store.datastore.create(final)
      await store.concatenate?.(final, order)
      expect(await offsetOf(store, final.id)).toBe(expected.length)
      expect(sha256(await readAll(await store.createReadStream(final.id)))).toBe(sha256(expected))
      // The partials are left as they were.
      expect(sha256(await readAll(await store.createReadStream(partials[1]?.id as string)))).toBe(
        sha256(pieces[1] as Buffer),
      )
    })

    it.sequential('reports itself writable', async () => {
      await expect(store.checkWritable()).resolves.toBeUndefined()
    })
  })

  describe.concurrent(`store contract: ${target.name}, expiry`, () => {
    const EXPIRY = 2_000
    let fixture: StoreFixture
    beforeAll(async () => {
      fixture = await target.open({ uploadExpiry: EXPIRY })
    })
    afterAll(async () => {
      await fixture?.dispose()
    })

    it.sequential('deletes unfinished and partial uploads older than the expiry, and nothing else', async () => {
      const { store } = fixture
      const stale = await create(store, 6 * MiB)
      await store.datastore.write(body(bytes(MiB, 1)), stale, 0)
      const finished = await create(store, 1000)
      await store.datastore.write(body(bytes(1000, 2)), finished, 0)
      // A finished partial upload is only a piece of some final upload: it expires too.
      const partial = (await finishedPartial(store, bytes(2000, 4))).id
      await sleep(EXPIRY + 1_000)
      const fresh = await create(store, 6 * MiB)
      await store.datastore.write(body(bytes(MiB, 3)), fresh, 0)

      expect(await store.expirer?.deleteExpired()).toBe(2)
      expect(await fixture.residue(stale)).toEqual([])
      expect(await fixture.residue(partial)).toEqual([])
      await expect(store.datastore.getUpload(stale)).rejects.toBe(ERRORS.FILE_NOT_FOUND)
      expect((await store.datastore.getUpload(finished)).offset).toBe(1000)
      expect(sha256(await readAll(await store.createReadStream(finished)))).toBe(sha256(bytes(1000, 2)))
      expect(await offsetOf(store, fresh)).toBe(MiB)
      expect(await store.expirer?.deleteExpired()).toBe(0)
    })
  })
}
