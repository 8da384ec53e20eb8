import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { Upload } from '@tus/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { redisUrl } from '../../../test-support/services.js'
import { parseConfig } from '../../src/config/load.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { TuskS3Store } from '../../src/stores/s3-datastore.js'
import { createS3Store } from '../../src/stores/s3-store.js'
import type { TuskStore } from '../../src/stores/types.js'
import { MiB } from './contract.js'
import { s3Service } from './s3-service.js'

// One PATCH body larger than two parts is uploaded as several parts at once. An instance that dies
// in the middle can leave part k+1 (or the `<id>.part` tail) stored without part k. The bytes the
// store may count are only those of parts 1..n without a gap (plus the tail if it starts right
// there): the client re-sends everything after, and the finished object must be exactly what it
// sent, never with a hole, a shifted run or a stale part from before the crash.

const s3 = s3Service()

const newId = () => randomBytes(16).toString('hex')

function openStore(bucket: string, options: ConfigInput = {}): TuskStore {
  return createS3Store(
    parseConfig({ store: 's3', s3Bucket: bucket, s3PartSize: 5 * MiB, ...s3.settings, ...options }),
  )
}

/** What one S3 request of the store stores: `part 3` (UploadPart) or `.part` (the tail object). */
function stores(command: string | undefined, input: Record<string, unknown>): string | undefined {
  if (command === 'UploadPartCommand') return `part ${input.PartNumber}`
  if (command === 'PutObjectCommand' && String(input.Key).endsWith('.part')) return '.part'
  return undefined
}

/**
 * Makes the store lose part `lost` the way a dying instance does: its UploadPart waits until every
 * request in `stored` has succeeded, then fails without reaching S3 (the process is gone).
 */
function loseAfter(store: TuskStore, lost: number, stored: string[]) {
  const waiting = new Set(stored)
  let release: () => void = () => {}
  const othersStored = new Promise<void>((resolve) => {
    release = resolve
  })
  if (waiting.size === 0) release()
  ;(store.datastore as TuskS3Store).s3.middlewareStack.add(
    (next, context) => async (args) => {
      const what = stores(context.commandName, args.input as Record<string, unknown>)
      if (what === `part ${lost}`) {
        await othersStored
        throw Object.assign(new Error(`instance died uploading part ${lost}`), { name: 'SimulatedCrash' })
      }
      const result = await next(args)
      if (what && waiting.delete(what) && waiting.size === 0) release()
      return result
    },
    { step: 'initialize' },
  )
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

for (const [label, options] of [
  ['info cached in memory', {}],
  ['info cached in Redis', { redisUrl: redisUrl() }],
] as [string, ConfigInput][]) {
  // The two info caches run at the same time, each over a bucket and store instances of its own (they
  // wait on S3 round trips); within one, the tests run one after another.
  describe.concurrent(`s3 store after an instance died between the parallel parts of one PATCH (${label})`, () => {
    let bucket: string
    beforeAll(async () => {
      bucket = await s3.createBucket('part-gap')
    })
    afterAll(async () => {
      await s3.deleteBucket(bucket)
    })

    /** The part numbers and sizes S3 holds for the open multipart upload of `id`. */
    async function partsOf(id: string): Promise<[number, number][]> {
      const open = await s3.client.listMultipartUploads({ Bucket: bucket, Prefix: id })
      const UploadId = open.Uploads?.[0]?.UploadId
      const { Parts = [] } = await s3.client.listParts({ Bucket: bucket, Key: id, UploadId })
      return Parts.map((part) => [part.PartNumber as number, part.Size as number])
    }

    /** Creates an upload of `length` and writes `body` (from offset 0) with an instance that loses part `lost`. */
    async function dieWriting(
      length: number | undefined,
      body: Buffer,
      lost: number,
      stored: string[],
      dyingOptions: ConfigInput = {},
    ): Promise<string> {
      const dying = openStore(bucket, { ...options, ...dyingOptions })
      const id = newId()
      try {
        await dying.datastore.create(new Upload({ id, size: length, offset: 0 }))
        loseAfter(dying, lost, stored)
        await expect(dying.datastore.write(Readable.from([body]), id, 0)).rejects.toMatchObject({
          name: 'SimulatedCrash',
        })
        return id
      } finally {
        await dying.close()
      }
    }

    /** Resumes `id` with another instance as a client would: HEAD, then PATCHes of `sizes` from there. */
    async function resume(
      id: string,
      data: Buffer,
      expectedOffset: number,
      sizes: number[] = [data.length - expectedOffset],
      resumingOptions: ConfigInput = {},
    ): Promise<void> {
      const other = openStore(bucket, { ...options, ...resumingOptions })
      try {
        let offset = (await other.datastore.getUpload(id)).offset
        expect(offset).toBe(expectedOffset)
        for (const size of sizes) {
          const body = data.subarray(offset, offset + size)
          expect(await other.datastore.write(Readable.from([body]), id, offset)).toBe(offset + body.length)
          offset += body.length
          // What the next HEAD says is what the store counts now, not only what write() returned.
          expect((await other.datastore.getUpload(id)).offset).toBe(offset)
        }
        expect(offset).toBe(data.length)
        expect((await other.stat(id)).size).toBe(data.length)
        expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
        expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      } finally {
        await other.close()
      }
    }

    it.sequential('counts only the parts before the first missing one, and the re-sent bytes complete a byte-identical object', async () => {
      const data = bytes(17 * MiB + 123, 61)
      // Parts 1-3 of 5 MiB and a final part 4; part 2 is lost after 3 and 4 were stored.
      const id = await dieWriting(data.length, data, 2, ['part 3', 'part 4'])
      expect(await partsOf(id)).toEqual([
        [1, 5 * MiB],
        [3, 5 * MiB],
        [4, 2 * MiB + 123],
      ])
      await resume(id, data, 5 * MiB)
    })

    /**
     * Stores `<id>.part` as an instance storing a PATCH's tail alongside its parts did (Tusk stores
     * the tail only after the parts before it now, but such a tail may be left from before).
     */
    async function leaveTail(id: string, data: Buffer, start: number, end: number): Promise<void> {
      await s3.client.putObject({
        Bucket: bucket,
        Key: `${id}.part`,
        Body: data.subarray(start, end),
        Metadata: { 'tusk-tail-start': String(start) },
      })
    }

    it.sequential('does not count a `.part` tail stored after a missing part', async () => {
      const data = bytes(30 * MiB, 62)
      // A PATCH of two parts and a 3 MiB tail (under S3's minimum part, so kept as `<id>.part`).
      const id = await dieWriting(data.length, data.subarray(0, 13 * MiB + 5), 2, [])
      await leaveTail(id, data, 10 * MiB, 13 * MiB + 5)
      expect(await partsOf(id)).toEqual([[1, 5 * MiB]])
      expect(await s3.listBucket(bucket, id)).toEqual([`${id} (multipart)`, `${id}.info`, `${id}.part`])
      await resume(id, data, 5 * MiB, [3 * MiB, 7 * MiB, data.length - 15 * MiB])
    })

    it.sequential('does not count a `.part` tail stored after a missing part of an upload of deferred length', async () => {
      const data = bytes(12 * MiB + 9, 63)
      const id = await dieWriting(undefined, data.subarray(0, 12 * MiB), 1, ['part 2'])
      await leaveTail(id, data, 10 * MiB, 12 * MiB)
      expect(await partsOf(id)).toEqual([[2, 5 * MiB]])
      const other = openStore(bucket, options)
      try {
        await other.datastore.declareUploadLength(id, data.length)
      } finally {
        await other.close()
      }
      await resume(id, data, 0)
    })

    // Issue 13: the store deleted `<id>.part` before storing its bytes again, so a PATCH cut by an
    // S3 outage lost the earlier PATCHes' tail too, and the client had to send those bytes again.
    it.sequential('keeps the tail of earlier PATCHes when S3 fails while a later PATCH is stored', async () => {
      const data = bytes(20 * MiB + 3, 67)
      const store = openStore(bucket, options)
      const id = newId()
      try {
        await store.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
        expect(await store.datastore.write(Readable.from([data.subarray(0, 3 * MiB)]), id, 0)).toBe(3 * MiB)
        // S3 goes away: every part and tail of the next PATCH fails (a PATCH of a part and a tail).
        let failing = true
        ;(store.datastore as TuskS3Store).s3.middlewareStack.add(
          (next, context) => async (args) => {
            if (failing && stores(context.commandName, args.input as Record<string, unknown>)) {
              throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
            }
            return next(args)
          },
          { step: 'initialize' },
        )
        const next = data.subarray(3 * MiB, 9 * MiB)
        await expect(store.datastore.write(Readable.from([next]), id, 3 * MiB)).rejects.toMatchObject({
          code: 'ECONNREFUSED',
        })
        failing = false
      } finally {
        await store.close()
      }
      // The offset before the cut PATCH, not 0: the earlier tail is still there.
      await resume(id, data, 3 * MiB, [7 * MiB, data.length - 10 * MiB])
    })

    it.sequential('a short PATCH that fills the gap does not make the part stored after the gap count (it holds other bytes)', async () => {
      // 6 MiB parts: a resumed PATCH of 5.5 MiB becomes a whole part 2 of 5.5 MiB, so the old part 3
      // (bytes 12-18 MiB) would follow bytes 6-11.5 MiB if it were counted.
      const data = bytes(20 * MiB + 17, 64)
      const id = await dieWriting(data.length, data.subarray(0, 18 * MiB), 2, ['part 3'], {
        s3PartSize: 6 * MiB,
      })
      expect(await partsOf(id)).toEqual([
        [1, 6 * MiB],
        [3, 6 * MiB],
      ])
      await resume(id, data, 6 * MiB, [5.5 * MiB, data.length - 11.5 * MiB], { s3PartSize: 6 * MiB })
    })

    // The finished object may hold no part left from before the crash, yet S3 services such as Ceph
    // RGW complete a multipart upload only if it lists every stored part: whatever the resuming
    // instance's part size, every part number the crash left must be rewritten with the right bytes.
    it.sequential("a resuming instance configured with a larger part size keeps the upload's part size", async () => {
      // 6 MiB parts: 1, 2 and a 1-byte part 3; part 2 is lost. With 8 MiB parts the rest would be one
      // final part 2, and part 3 would stay behind.
      const data = bytes(12 * MiB + 1, 65)
      const id = await dieWriting(data.length, data, 2, ['part 3'], { s3PartSize: 6 * MiB })
      expect(await partsOf(id)).toEqual([
        [1, 6 * MiB],
        [3, 1],
      ])
      await resume(id, data, 6 * MiB, undefined, { s3PartSize: 8 * MiB })
    })

    it.sequential('a resuming instance configured with a larger part size rewrites every part number when part 1 was lost', async () => {
      const data = bytes(12 * MiB + 1, 66)
      const id = await dieWriting(data.length, data, 1, ['part 2', 'part 3'], { s3PartSize: 6 * MiB })
      expect(await partsOf(id)).toEqual([
        [2, 6 * MiB],
        [3, 1],
      ])
      await resume(id, data, 0, [5 * MiB, data.length - 5 * MiB], { s3PartSize: 8 * MiB })
    })
  })
}
