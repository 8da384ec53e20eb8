import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { Upload } from '@tus/utils'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'
import { startServer, type TuskServer } from '../../src/index.js'
import { concatenateS3, planParts, s3ConcatPort } from '../../src/stores/s3-concat.js'
import type { TuskS3Store } from '../../src/stores/s3-datastore.js'
import { createS3Store } from '../../src/stores/s3-store.js'
import type { TuskStore } from '../../src/stores/types.js'
import { s3Service } from '../stores/s3-service.js'
import { create, download, head, patch } from './helpers.js'

const MiB = 2 ** 20

describe('S3 concatenation plan (UploadPartCopy where S3 allows it)', () => {
  const limits = { minPart: 5, maxCopy: 20 }
  const sizes = (plan: ReturnType<typeof planParts>) =>
    plan.map((p) => (p.kind === 'copy' ? `c${p.piece.end - p.piece.start}` : `u${p.size}`))

  it('copies every partial whole when each but the last reaches the minimum part size', () => {
    expect(
      sizes(
        planParts(
          [
            { id: 'a', size: 6 },
            { id: 'b', size: 5 },
            { id: 'c', size: 1 },
          ],
          limits,
        ),
      ),
    ).toEqual(['c6', 'c5', 'u1'])
  })

  it('sends small partials through the server only, topped up to a whole part', () => {
    const plan = planParts(
      [
        { id: 'a', size: 2 },
        { id: 'b', size: 9 },
        { id: 'c', size: 2 },
      ],
      limits,
    )
    expect(sizes(plan)).toEqual(['u5', 'c6', 'u2'])
    expect(plan[0]).toEqual({
      kind: 'upload',
      size: 5,
      pieces: [
        { id: 'a', start: 0, end: 2 },
        { id: 'b', start: 0, end: 3 },
      ],
    })
  })

  it('splits partials larger than the largest copy without leaving a tail under the minimum', () => {
    expect(sizes(planParts([{ id: 'a', size: 22 }], limits))).toEqual(['c17', 'c5'])
    expect(sizes(planParts([{ id: 'a', size: 45 }], limits))).toEqual(['c20', 'c20', 'c5'])
  })

  it('keeps every part but the last at or above the minimum for any mix of sizes', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let trial = 0; trial < 500; trial++) {
      const partials = Array.from({ length: 1 + (trial % 7) }, (_, i) => ({
        id: `p${i}`,
        size: Math.floor(random() * 50),
      }))
      const plan = planParts(partials, limits)
      const partSizes = plan.map((p) => (p.kind === 'copy' ? p.piece.end - p.piece.start : p.size))
      for (const size of partSizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(5)
      for (const p of plan) if (p.kind === 'copy') expect(p.piece.end - p.piece.start).toBeLessThanOrEqual(20)
      expect(partSizes.reduce((a, b) => a + b, 0)).toBe(partials.reduce((a, p) => a + p.size, 0))
    }
  })
})

describe('S3 concatenation against a real S3 (RGW)', () => {
  const s3 = s3Service()
  let bucket: string
  let store: TuskStore
  beforeAll(async () => {
    bucket = await s3.createBucket('concat')
    store = createS3Store(parseConfig({ store: 's3', s3Bucket: bucket, s3PartSize: 5 * MiB, ...s3.settings }))
  })
  afterAll(async () => {
    await store?.close()
    if (bucket) await s3.deleteBucket(bucket)
  })

  async function finishedPartial(data: Buffer): Promise<Upload> {
    const upload = new Upload({ id: randomBytes(16).toString('hex'), size: data.length, offset: 0 })
    await store.datastore.create(upload)
    if (data.length > 0) await store.datastore.write(Readable.from([data]), upload.id, 0)
    return store.datastore.getUpload(upload.id)
  }

  it('assembles partials in order server-side, small ones included, into a finished object', {
    timeout: 120_000,
  }, async () => {
    const pieces = [randomBytes(6 * MiB), randomBytes(MiB), randomBytes(7 * MiB + 3), randomBytes(2 * MiB)]
    const partials = [] as Upload[]
    for (const piece of pieces) partials.push(await finishedPartial(piece))
    const order = [partials[0], partials[1], partials[2], partials[1], partials[3]] as Upload[]
    const expected = Buffer.concat([pieces[0], pieces[1], pieces[2], pieces[1], pieces[3]] as Buffer[])
    const final = new Upload({ id: randomBytes(16).toString('hex'), size: expected.length, offset: 0 })
    await store.datastore.create(final)
    await concatenateS3(s3ConcatPort(store.datastore as TuskS3Store, bucket), final, order)

    const assembled = await store.datastore.getUpload(final.id)
    expect(assembled.offset).toBe(expected.length)
    const chunks: Buffer[] = []
    for await (const chunk of await store.createReadStream(final.id)) chunks.push(chunk as Buffer)
    const got = Buffer.concat(chunks)
    expect(got.length).toBe(expected.length)
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    )
    // The partials stay as they were.
    expect((await store.stat(partials[0]?.id as string)).size).toBe(6 * MiB)
  })
})

describe('Tusk over S3: checksum and concatenation end to end', () => {
  const s3 = s3Service()
  let bucket: string
  let server: TuskServer
  beforeAll(async () => {
    bucket = await s3.createBucket('proto')
    server = await startServer({ port: 0, logLevel: 'silent', store: 's3', s3Bucket: bucket, ...s3.settings })
  })
  afterAll(async () => {
    await server?.close()
    if (bucket) await s3.deleteBucket(bucket)
  })

  it('announces checksum, checksum-trailer and concatenation', async () => {
    const res = await fetch(server.url, { method: 'OPTIONS' })
    expect(res.headers.get('tus-extension')?.split(',')).toEqual(
      expect.arrayContaining(['checksum', 'checksum-trailer', 'concatenation']),
    )
  })

  it('discards a chunk whose checksum mismatches (460) and accepts it once it matches', async () => {
    const url = await create(server, { 'Upload-Length': '11' })
    const good = createHash('sha1').update('hello world').digest('base64')
    expect((await patch(url, 0, 'hello worlD', { 'Upload-Checksum': `sha1 ${good}` })).status).toBe(460)
    expect((await head(url)).headers.get('upload-offset')).toBe('0')
    expect((await patch(url, 0, 'hello world', { 'Upload-Checksum': `sha1 ${good}` })).status).toBe(204)
    expect((await download(url)).toString()).toBe('hello world')
  })

  it('finishes a tus-js-client parallelUploads upload byte-identical', { timeout: 120_000 }, async () => {
    const data = randomBytes(12 * MiB + 7)
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: server.url,
        parallelUploads: 2,
        onError: reject,
        onSuccess: () => resolve(upload.url as string),
      })
      upload.start()
    })
    expect((await head(url)).headers.get('upload-offset')).toBe(String(data.length))
    expect((await download(url)).equals(data)).toBe(true)
  })
})
