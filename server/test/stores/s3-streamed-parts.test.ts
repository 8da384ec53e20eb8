import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { StreamLimiter, Upload } from '@tus/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { parseConfig } from '../../src/config/load.js'
import type { TuskS3Store } from '../../src/stores/s3-datastore.js'
import { createS3Store } from '../../src/stores/s3-store.js'
import type { TuskStore } from '../../src/stores/types.js'
import { MiB } from './contract.js'
import { s3Service } from './s3-service.js'

// A PATCH with a Content-Length reaches the S3 store through a StreamLimiter of that length
// (upload/body.ts): the parts it will fill are streamed to S3 while their bytes arrive (issue 16),
// each also kept in a temp file, so a body that breaks off still keeps every byte it brought.

const s3 = s3Service()
const newId = () => randomBytes(16).toString('hex')

/** A PATCH body as body.ts hands it to the store: `declared` bytes announced, `data` sent, then maybe a reset. */
function patchBody(data: Buffer, declared: number, breakOff: boolean): Readable {
  const source = Readable.from(
    (async function* () {
      for (let at = 0; at < data.length; at += 256 * 1024) {
        yield data.subarray(at, Math.min(data.length, at + 256 * 1024))
        await sleep(1)
      }
      if (breakOff) throw new Error('connection reset by peer')
    })(),
  )
  const limited = new StreamLimiter(declared)
  source.on('error', (error) => limited.destroy(error))
  source.pipe(limited)
  return limited
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

describe('s3 store, PATCH bodies with a declared length', () => {
  let bucket: string
  let store: TuskStore
  // When each UploadPart request started and when the body's last byte was read, per part number.
  const partStarted = new Map<number, number>()
  beforeAll(async () => {
    bucket = await s3.createBucket('streamed')
    store = createS3Store(parseConfig({ store: 's3', s3Bucket: bucket, s3PartSize: 5 * MiB, ...s3.settings }))
    for (const client of (store.datastore as TuskS3Store).clients) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'UploadPartCommand') {
            partStarted.set((args.input as { PartNumber: number }).PartNumber, performance.now())
          }
          return next(args)
        },
        { step: 'initialize' },
      )
    }
  })
  afterAll(async () => {
    await store.close()
    await s3.deleteBucket(bucket)
  })

  async function create(size: number): Promise<string> {
    const id = newId()
    await store.datastore.create(new Upload({ id, size, offset: 0 }))
    return id
  }

  it('starts sending a part to S3 before the part has been received', async () => {
    const data = bytes(10 * MiB, 71)
    const id = await create(data.length)
    partStarted.clear()
    let firstPartReceived = 0
    const body = patchBody(data, data.length, false)
    let read = 0
    body.on('data', (chunk: Buffer) => {
      read += chunk.length
      if (read >= 5 * MiB && firstPartReceived === 0) firstPartReceived = performance.now()
    })
    expect(await store.datastore.write(body, id, 0)).toBe(data.length)
    expect(partStarted.get(1)).toBeLessThan(firstPartReceived)
    expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
  })

  it('keeps the bytes received before a streamed part broke off, and resumes from there byte-exact', async () => {
    const data = bytes(17 * MiB + 5, 72)
    const id = await create(data.length)
    const sent = 7 * MiB + 300 * 1024
    // Announced the whole rest (parts 1-3 streamed), broken off in part 2.
    await expect(
      store.datastore.write(patchBody(data.subarray(0, sent), data.length, true), id, 0),
    ).rejects.toThrow('connection reset by peer')
    expect((await store.datastore.getUpload(id)).offset).toBe(sent)
    // A second PATCH also breaks off, inside the part the kept tail begins.
    const more = 2 * MiB
    await expect(
      store.datastore.write(patchBody(data.subarray(sent, sent + more), data.length - sent, true), id, sent),
    ).rejects.toThrow('connection reset by peer')
    expect((await store.datastore.getUpload(id)).offset).toBe(sent + more)
    const rest = data.subarray(sent + more)
    expect(await store.datastore.write(patchBody(rest, rest.length, false), id, sent + more)).toBe(
      data.length,
    )
    expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
    expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
  })

  it('stores whole parts of PATCHes that are not multiples of the part size, byte-exact', async () => {
    const data = bytes(23 * MiB + 17, 73)
    const id = await create(data.length)
    let offset = 0
    for (const size of [3 * MiB, 4 * MiB + 1, 8 * MiB, 1, data.length - 15 * MiB - 2]) {
      const chunk = data.subarray(offset, offset + size)
      offset = await store.datastore.write(patchBody(chunk, chunk.length, false), id, offset)
      expect((await store.datastore.getUpload(id)).offset).toBe(offset)
    }
    expect(offset).toBe(data.length)
    expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
  })

  it('resumes from a `.part` tail written without its start (by Tusk before it recorded one)', async () => {
    const data = bytes(9 * MiB + 7, 74)
    const id = await create(data.length)
    await s3.client.putObject({ Bucket: bucket, Key: `${id}.part`, Body: data.subarray(0, 3 * MiB) })
    expect((await store.datastore.getUpload(id)).offset).toBe(3 * MiB)
    const rest = data.subarray(3 * MiB)
    expect(await store.datastore.write(patchBody(rest, rest.length, false), id, 3 * MiB)).toBe(data.length)
    expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
    expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
  })

  it('sends a streamed part again from its temp file when the connection to S3 breaks mid-part', async () => {
    const data = bytes(12 * MiB + 11, 75)
    const id = await create(data.length)
    // The streamed request of part 2 reads 1 MiB of its body, then its connection breaks.
    let broken = 0
    const streamClient = (store.datastore as TuskS3Store).clients[1]
    streamClient?.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number; Body?: Readable }
        if (
          context.commandName === 'UploadPartCommand' &&
          input.PartNumber === 2 &&
          broken === 0 &&
          input.Body
        ) {
          broken++
          let read = 0
          for await (const chunk of input.Body) {
            read += (chunk as Buffer).length
            if (read >= MiB) break
          }
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
        }
        return next(args)
      },
      { step: 'initialize', name: 'breakPartTwoOnce' },
    )
    try {
      expect(await store.datastore.write(patchBody(data, data.length, false), id, 0)).toBe(data.length)
    } finally {
      streamClient?.middlewareStack.remove('breakPartTwoOnce')
    }
    expect(broken).toBe(1)
    expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
  })
})
