import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Upload } from '@tus/utils'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { redisUrl } from '../../../test-support/services.js'
import { parseConfig } from '../../src/config/load.js'
import type { ConfigInput } from '../../src/config/schema.js'
import { s3ClientConfig } from '../../src/stores/s3-client-config.js'
import type { TuskS3Store } from '../../src/stores/s3-datastore.js'
import { createS3Store } from '../../src/stores/s3-store.js'
import { describeStoreContract, MiB, type StoreTarget } from './contract.js'
import { type S3Service, s3Service } from './s3-service.js'

const s3 = s3Service()

/** Tusk's S3 store over `bucket`, configured the way `--store s3 --s3-...` would configure it. */
function openS3Store(bucket: string, options: ConfigInput = {}) {
  const config = parseConfig({
    store: 's3',
    s3Bucket: bucket,
    s3PartSize: 5 * MiB,
    ...s3.settings,
    ...options,
  })
  return createS3Store(config)
}

function s3Target(name: string, service: S3Service, options: ConfigInput = {}): StoreTarget {
  return {
    name,
    async open({ uploadExpiry }) {
      const bucket = await service.createBucket('contract')
      const store = openS3Store(bucket, { uploadExpiry, ...options })
      return {
        store,
        reopen: async () => openS3Store(bucket, { uploadExpiry, ...options }),
        // The upload's keys are `<id>`, `<id>.info` and `<id>.part`: list everything under the id.
        residue: (id) => service.listBucket(bucket, id),
        async dispose() {
          await store.close()
          await service.deleteBucket(bucket)
        },
      }
    },
  }
}

describeStoreContract(s3Target('s3', s3))
describeStoreContract(s3Target('s3 with the upload-info cache in Redis', s3, { redisUrl: redisUrl() }))

// Tests below change the AWS_* environment of this test process; each gets the original back.
const savedEnv = { ...process.env }
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

describe('s3 store specifics', () => {
  let bucket: string
  beforeAll(async () => {
    bucket = await s3.createBucket('specifics')
  })
  afterAll(async () => {
    await s3.deleteBucket(bucket)
  })

  it('downloads a byte range with a ranged GetObject, never the whole object', async () => {
    const store = openS3Store(bucket)
    const data = bytes(6 * MiB, 31)
    const id = randomBytes(16).toString('hex')
    await store.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
    await store.datastore.write(Readable.from([data]), id, 0)
    const requested: { command: string; range?: string }[] = []
    ;(store.datastore as TuskS3Store).s3.middlewareStack.add(
      (next, context) => (args) => {
        requested.push({
          command: context.commandName as string,
          range: (args.input as { Range?: string }).Range,
        })
        return next(args)
      },
      { step: 'initialize' },
    )
    const chunks: Buffer[] = []
    for await (const chunk of await store.createReadStream(id, { start: MiB, end: MiB + 9 }))
      chunks.push(chunk)
    expect(Buffer.concat(chunks).equals(data.subarray(MiB, MiB + 10))).toBe(true)
    expect(requested).toEqual([{ command: 'GetObjectCommand', range: `bytes=${MiB}-${MiB + 9}` }])
    await store.close()
  })

  it('leaves no object behind when /ready checks that the bucket is writable', async () => {
    const store = openS3Store(bucket)
    await store.checkWritable()
    await store.checkWritable()
    expect(await s3.listBucket(bucket, 'tusk-ready-probe')).toEqual([])
    await store.close()
  })

  it('is not ready when the bucket does not exist, and says why', async () => {
    const store = openS3Store(`tusk-missing-${randomBytes(4).toString('hex')}`)
    await expect(store.checkWritable()).rejects.toMatchObject({ code: 'NoSuchBucket' })
    await store.close()
  })

  it('is not ready when the credentials are wrong, and says why', async () => {
    const store = openS3Store(bucket, { s3SecretAccessKey: 'not-the-secret' })
    await expect(store.checkWritable()).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' })
    await store.close()
  })

  it('takes credentials from the standard AWS environment variables when none are configured', async () => {
    process.env.AWS_ACCESS_KEY_ID = s3.settings.s3AccessKeyId
    process.env.AWS_SECRET_ACCESS_KEY = s3.settings.s3SecretAccessKey
    const store = openS3Store(bucket, { s3AccessKeyId: undefined, s3SecretAccessKey: undefined })
    await expect(store.checkWritable()).resolves.toBeUndefined()
    await store.close()
  })

  it('takes credentials from the AWS shared credentials file and profile when none are configured', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tusk-aws-'))
    try {
      const file = path.join(dir, 'credentials')
      await writeFile(
        file,
        `[tusk-test]\naws_access_key_id = ${s3.settings.s3AccessKeyId}\naws_secret_access_key = ${s3.settings.s3SecretAccessKey}\n`,
      )
      delete process.env.AWS_ACCESS_KEY_ID
      delete process.env.AWS_SECRET_ACCESS_KEY
      process.env.AWS_SHARED_CREDENTIALS_FILE = file
      process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config')
      process.env.AWS_PROFILE = 'tusk-test'
      const store = openS3Store(bucket, { s3AccessKeyId: undefined, s3SecretAccessKey: undefined })
      await expect(store.checkWritable()).resolves.toBeUndefined()
      await store.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('keeps upload info in Redis, under the bucket, with an expiry', async () => {
    const redis = new Redis(redisUrl())
    const store = openS3Store(bucket, { redisUrl: redisUrl() })
    try {
      const id = randomBytes(16).toString('hex')
      await store.datastore.create(new Upload({ id, size: 10, offset: 0 }))
      await store.datastore.getUpload(id)
      const key = `tusk:s3-info:${bucket}:${id}`
      expect(JSON.parse((await redis.get(key)) as string)).toMatchObject({ file: { id, size: 10 } })
      expect(await redis.pttl(key)).toBeGreaterThan(0)
      await store.datastore.remove(id)
      expect(await redis.exists(key)).toBe(0)
    } finally {
      await store.close()
      redis.disconnect()
    }
  })

  it('keeps working from S3 alone when Redis is unreachable', async () => {
    // Nothing listens on port 1: every cache call fails, and the store falls back to S3.
    const store = openS3Store(bucket, { redisUrl: 'redis://127.0.0.1:1' })
    try {
      const data = bytes(2 * MiB, 4)
      const id = randomBytes(16).toString('hex')
      await store.datastore.create(new Upload({ id, size: data.length, offset: 0 }))
      await store.datastore.write(Readable.from([data.subarray(0, MiB)]), id, 0)
      expect((await store.datastore.getUpload(id)).offset).toBe(MiB)
      expect(await store.datastore.write(Readable.from([data.subarray(MiB)]), id, MiB)).toBe(data.length)
      expect((await store.stat(id)).size).toBe(data.length)
    } finally {
      await store.close()
    }
  })
})

describe('s3 store configuration', () => {
  it('sends request checksums only when required by default, and as the SDK does when asked', () => {
    const defaults = parseConfig({ store: 's3', s3Bucket: 'b' })
    expect(defaults.s3ChecksumMode).toBe('when_required')
    expect(s3ClientConfig(defaults)).toMatchObject({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    const sdk = parseConfig({ store: 's3', s3Bucket: 'b', s3ChecksumMode: 'when_supported' })
    expect(s3ClientConfig(sdk)).toMatchObject({
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    })
  })

  it('refuses to start without a bucket, or with half a key pair', () => {
    expect(() => createS3Store(parseConfig({ store: 's3' }))).toThrow(/s3Bucket/)
    expect(() => createS3Store(parseConfig({ store: 's3', s3Bucket: 'b', s3AccessKeyId: 'AKIA' }))).toThrow(
      /s3SecretAccessKey/,
    )
  })

  it('refuses a part size outside S3 limits and an unknown checksum mode', () => {
    expect(() => parseConfig({ store: 's3', s3PartSize: '4MiB' })).toThrow(/s3PartSize.*5MiB/)
    expect(() => parseConfig({ store: 's3', s3ChecksumMode: 'always' })).toThrow(/s3ChecksumMode/)
  })
})
