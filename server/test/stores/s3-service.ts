import { randomBytes } from 'node:crypto'
import { S3 } from '@aws-sdk/client-s3'
import type { ConfigInput } from '../../src/config/schema.js'
import { s3ClientConfig } from '../../src/stores/s3-client-config.js'

// The S3 service the S3 tests run against, from the environment that `scripts/s3-start.sh` writes
// (source /tmp/tusk-s3/s3.env). Without it these suites fail; they never skip.

const REQUIRED = ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const

export function s3Service() {
  const missing = REQUIRED.filter((name) => !process.env[name])
  if (missing.length > 0) {
    throw new Error(
      `S3 tests need a running S3 service, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set. ` +
        'Start one with `scripts/s3-start.sh` and `source /tmp/tusk-s3/s3.env` (CI does both).',
    )
  }
  const settings = {
    s3Endpoint: process.env.S3_ENDPOINT as string,
    s3Region: process.env.S3_REGION || 'us-east-1',
    s3AccessKeyId: process.env.S3_ACCESS_KEY as string,
    s3SecretAccessKey: process.env.S3_SECRET_KEY as string,
    s3ForcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
  } satisfies ConfigInput
  const client = new S3(
    s3ClientConfig({
      ...settings,
      s3SessionToken: undefined,
      s3ChecksumMode: 'when_required',
      s3PartConcurrency: 4,
    }),
  )

  return {
    settings,
    client,
    /** A bucket of its own for one suite, so listing it shows exactly what that suite left behind. */
    async createBucket(label: string): Promise<string> {
      const bucket = `tusk-${label}-${randomBytes(4).toString('hex')}`
      await client.createBucket({ Bucket: bucket })
      return bucket
    },
    /** Every object key and every open multipart upload (as "key (multipart)") in the bucket. */
    async listBucket(bucket: string, prefix?: string): Promise<string[]> {
      const found: string[] = []
      let ContinuationToken: string | undefined
      do {
        const page = await client.listObjectsV2({ Bucket: bucket, Prefix: prefix, ContinuationToken })
        for (const object of page.Contents ?? []) found.push(object.Key as string)
        ContinuationToken = page.NextContinuationToken
      } while (ContinuationToken)
      const open = await client.listMultipartUploads({ Bucket: bucket, Prefix: prefix })
      for (const upload of open.Uploads ?? []) found.push(`${upload.Key} (multipart)`)
      return found.sort()
    },
    async deleteBucket(bucket: string): Promise<void> {
      const open = await client.listMultipartUploads({ Bucket: bucket })
      for (const upload of open.Uploads ?? []) {
        await client.abortMultipartUpload({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId })
      }
      for (;;) {
        const page = await client.listObjectsV2({ Bucket: bucket })
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }))
        if (keys.length === 0) break
        await client.deleteObjects({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } })
      }
      await client.deleteBucket({ Bucket: bucket })
    },
  }
}

export type S3Service = ReturnType<typeof s3Service>

export function redisUrl(): string {
  const url = process.env.REDIS_URL
  if (!url) {
    throw new Error(
      'this suite needs Redis, but REDIS_URL is not set. Start it with `scripts/redis-start.sh` and ' +
        '`source /tmp/tusk-redis-6379/redis.env` (CI does both).',
    )
  }
  return url
}
