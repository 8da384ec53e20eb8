import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { Upload } from '@tus/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { redisUrl } from '../../../test-support/services.js'
import { parseConfig } from '../../src/config/load.js'
import type { ConfigInput } from '../../src/config/schema.js'
import { startServer } from '../../src/server.js'
import type { TuskS3Store } from '../../src/stores/s3-datastore.js'
import { createS3Store } from '../../src/stores/s3-store.js'
import type { TuskStore } from '../../src/stores/types.js'
import { send, TUS } from '../helpers.js'
import { MiB } from './contract.js'
import { s3Service } from './s3-service.js'

// An instance can die (SIGKILL, OOM, node lost) at any point of finishing an upload: after its last
// part is in S3 but before CompleteMultipartUpload, or between marking the `.info` finished and
// completing. Another instance (or the same one, restarted) must then see the upload as it really
// is and finish the job: every byte is in S3, so HEAD may say offset = length only if a download
// then returns the whole object. The death is simulated by failing one S3 call of the dying store.

const s3 = s3Service()

const newId = () => randomBytes(16).toString('hex')

function openStore(bucket: string, options: ConfigInput = {}): TuskStore {
  return createS3Store(
    parseConfig({ store: 's3', s3Bucket: bucket, s3PartSize: 5 * MiB, ...s3.settings, ...options }),
  )
}

/**
 * Makes the store's S3 client fail the first `command` (matching `when`) as if the process had died
 * there: the request never reaches S3. The store is closed afterwards, like a dead instance.
 */
function dieAt(
  store: TuskStore,
  command: string,
  when: (input: Record<string, unknown>) => boolean = () => true,
) {
  let armed = true
  ;(store.datastore as TuskS3Store).s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (armed && context.commandName === command && when(args.input as Record<string, unknown>)) {
        armed = false
        throw Object.assign(new Error(`instance died before ${command}`), { name: 'SimulatedCrash' })
      }
      return next(args)
    },
    { step: 'initialize' },
  )
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

/** A store that dies right before completing the multipart upload of `data`, every part stored. */
async function diedBeforeCompleting(
  bucket: string,
  data: Buffer,
  options: ConfigInput = {},
): Promise<string> {
  const dying = openStore(bucket, options)
  try {
    dieAt(dying, 'CompleteMultipartUploadCommand')
    const id = newId()
    await dying.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
    await expect(dying.datastore.write(Readable.from([data]), id, 0)).rejects.toMatchObject({
      name: 'SimulatedCrash',
    })
    return id
  } finally {
    await dying.close()
  }
}

for (const [label, options] of [
  ['info cached in memory', {}],
  ['info cached in Redis', { redisUrl: redisUrl() }],
] as [string, ConfigInput][]) {
  // The two info caches run at the same time, each over a bucket and store instances of its own (they
  // wait on S3 round trips); within one, the tests run one after another.
  describe.concurrent(`s3 store after an instance died while finishing an upload (${label})`, () => {
    let bucket: string
    beforeAll(async () => {
      bucket = await s3.createBucket('crash')
    })
    afterAll(async () => {
      await s3.deleteBucket(bucket)
    })

    it.sequential('completes an upload whose parts add up to its length but whose multipart upload is open, and serves every byte', async () => {
      const data = bytes(11 * MiB + 321, 51)
      const id = await diedBeforeCompleting(bucket, data, options)
      // What the dead instance left: the info and an open multipart upload holding every byte.
      expect(await s3.listBucket(bucket, id)).toEqual([`${id} (multipart)`, `${id}.info`])
      const other = openStore(bucket, options)
      try {
        const upload = await other.datastore.getUpload(id)
        expect(upload.offset).toBe(data.length)
        expect(upload.size).toBe(data.length)
        expect((await other.stat(id)).size).toBe(data.length)
        expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
        expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      } finally {
        await other.close()
      }
    })

    it.sequential('completes it once when several instances find it at the same time', async () => {
      const data = bytes(6 * MiB + 7, 52)
      const id = await diedBeforeCompleting(bucket, data, options)
      const instances = [openStore(bucket, options), openStore(bucket, options), openStore(bucket, options)]
      try {
        const seen = await Promise.all(instances.map((store) => store.datastore.getUpload(id)))
        expect(seen.map((upload) => upload.offset)).toEqual([data.length, data.length, data.length])
        for (const store of instances) {
          expect(sha256(await readAll(await store.createReadStream(id)))).toBe(sha256(data))
        }
      } finally {
        await Promise.all(instances.map((store) => store.close()))
      }
    })

    it.sequential('a download through Tusk (GET, then HEAD) returns the whole object, not 404', async () => {
      const data = bytes(5 * MiB + 99, 53)
      const id = await diedBeforeCompleting(bucket, data, options)
      const server = await startServer({
        port: 0,
        logLevel: 'silent',
        store: 's3',
        s3Bucket: bucket,
        s3PartSize: 5 * MiB,
        ...s3.settings,
        ...options,
      })
      try {
        const got = await send(`${server.url}/${id}`)
        expect(got.status).toBe(200)
        expect(sha256(got.body)).toBe(sha256(data))
        const head = await send(`${server.url}/${id}`, { method: 'HEAD', headers: TUS })
        expect(head.headers['upload-offset']).toBe(String(data.length))
      } finally {
        await server.close()
      }
    })

    it.sequential('finishes a deferred-length upload whose length was declared equal to its offset (the bytes in `.part`)', async () => {
      const data = bytes(MiB + 5, 54)
      const dying = openStore(bucket, options)
      const id = newId()
      try {
        await dying.datastore.create(new Upload({ id, size: undefined, offset: 0 }))
        // Below a part: S3 keeps these bytes as the `<id>.part` tail.
        expect(await dying.datastore.write(Readable.from([data]), id, 0)).toBe(data.length)
        // The final PATCH declares the length and the instance dies before write() moves the tail.
        await dying.datastore.declareUploadLength(id, data.length)
      } finally {
        await dying.close()
      }
      expect(await s3.listBucket(bucket, id)).toEqual([`${id} (multipart)`, `${id}.info`, `${id}.part`])
      const other = openStore(bucket, options)
      try {
        const upload = await other.datastore.getUpload(id)
        expect(upload.offset).toBe(data.length)
        expect(upload.size).toBe(data.length)
        expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
        expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      } finally {
        await other.close()
      }
    })

    it.sequential('finishes a deferred-length upload whose tail was already stored as the last part when the instance died', async () => {
      const data = bytes(6 * MiB + 3, 55)
      const dying = openStore(bucket, options)
      const id = newId()
      try {
        await dying.datastore.create(new Upload({ id, size: undefined, offset: 0 }))
        // One 5 MiB part plus a 1 MiB tail in `<id>.part`.
        expect(await dying.datastore.write(Readable.from([data]), id, 0)).toBe(data.length)
        await dying.datastore.declareUploadLength(id, data.length)
        // The tail went in as part 2; the instance died before completing and deleting `.part`.
        const UploadId = (await s3.client.listMultipartUploads({ Bucket: bucket, Prefix: id })).Uploads?.[0]
          ?.UploadId
        await s3.client.uploadPart({
          Bucket: bucket,
          Key: id,
          UploadId,
          PartNumber: 2,
          Body: data.subarray(5 * MiB),
        })
      } finally {
        await dying.close()
      }
      const other = openStore(bucket, options)
      try {
        expect((await other.datastore.getUpload(id)).offset).toBe(data.length)
        expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
        expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      } finally {
        await other.close()
      }
    })

    it.sequential('finishes a zero-length upload whose creating instance died, even when another instance completes it at the same moment', async () => {
      const dying = openStore(bucket, options)
      const id = newId()
      try {
        // S3 needs one (empty) part to complete a multipart upload; the instance dies before storing it.
        dieAt(dying, 'UploadPartCommand')
        await expect(dying.datastore.create(new Upload({ id, size: 0, offset: 0 }))).rejects.toMatchObject({
          name: 'SimulatedCrash',
        })
      } finally {
        await dying.close()
      }
      const first = openStore(bucket, options)
      const second = openStore(bucket, options)
      try {
        // Right before `second` stores the empty part, `first` completes the upload, so `second`
        // finds the multipart upload gone (NoSuchUpload): that is done, too.
        let overtaken = false
        ;(second.datastore as TuskS3Store).s3.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'UploadPartCommand' && !overtaken) {
              overtaken = true
              expect((await first.datastore.getUpload(id)).offset).toBe(0)
            }
            return next(args)
          },
          { step: 'initialize' },
        )
        const upload = await second.datastore.getUpload(id)
        expect(overtaken).toBe(true)
        expect([upload.offset, upload.size]).toEqual([0, 0])
        expect((await second.stat(id)).size).toBe(0)
        expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      } finally {
        await Promise.all([first.close(), second.close()])
      }
    })

    it.sequential('a write whose completion another instance (a download reading the upload) got to first still succeeds', async () => {
      const data = bytes(5 * MiB + 11, 58)
      const writer = openStore(bucket, options)
      const reader = openStore(bucket, options)
      const id = newId()
      try {
        await writer.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
        // Right before the writer completes, the reader sees every part stored and completes it.
        let overtaken = false
        ;(writer.datastore as TuskS3Store).s3.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName === 'CompleteMultipartUploadCommand' && !overtaken) {
              overtaken = true
              expect((await reader.datastore.getUpload(id)).offset).toBe(data.length)
            }
            return next(args)
          },
          { step: 'initialize' },
        )
        expect(await writer.datastore.write(Readable.from([data]), id, 0)).toBe(data.length)
        expect(overtaken).toBe(true)
        expect(sha256(await readAll(await writer.createReadStream(id)))).toBe(sha256(data))
      } finally {
        await Promise.all([writer.close(), reader.close()])
      }
    })
  })
}

describe('s3 store with expiry after an instance died while finishing an upload', () => {
  const EXPIRY = 2_000
  let bucket: string
  beforeAll(async () => {
    bucket = await s3.createBucket('crash-expiry')
  })
  afterAll(async () => {
    await s3.deleteBucket(bucket)
  })

  async function infoTags(id: string): Promise<Record<string, string>> {
    const { TagSet } = await s3.client.getObjectTagging({ Bucket: bucket, Key: `${id}.info` })
    return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key, tag.Value]))
  }

  it('marks the info of a finished upload completed (for lifecycle rules) even if the instance died while marking it', async () => {
    const data = bytes(2 * MiB, 56)
    const dying = openStore(bucket, { uploadExpiry: EXPIRY })
    const id = newId()
    try {
      // The PUT that re-tags `<id>.info` as Tus-Completed=true never happens.
      dieAt(
        dying,
        'PutObjectCommand',
        (input) => input.Key === `${id}.info` && input.Tagging === 'Tus-Completed=true',
      )
      await dying.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
      await expect(dying.datastore.write(Readable.from([data]), id, 0)).rejects.toMatchObject({
        name: 'SimulatedCrash',
      })
    } finally {
      await dying.close()
    }
    const other = openStore(bucket, { uploadExpiry: EXPIRY })
    try {
      expect((await other.datastore.getUpload(id)).offset).toBe(data.length)
      expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
      expect(await infoTags(id)).toEqual({ 'Tus-Completed': 'true' })
    } finally {
      await other.close()
    }
  })

  it('does not expire an upload whose every byte was stored: it completes it instead', async () => {
    const data = bytes(3 * MiB, 57)
    const id = await diedBeforeCompleting(bucket, data, { uploadExpiry: EXPIRY })
    await sleep(EXPIRY + 1_000)
    const other = openStore(bucket, { uploadExpiry: EXPIRY })
    try {
      expect(await other.expirer?.deleteExpired()).toBe(0)
      expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
      expect(await infoTags(id)).toEqual({ 'Tus-Completed': 'true' })
      expect(sha256(await readAll(await other.createReadStream(id)))).toBe(sha256(data))
    } finally {
      await other.close()
    }
  })
})
