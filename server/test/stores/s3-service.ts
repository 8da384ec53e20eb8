import { randomBytes } from 'node:crypto'
import { S3 } from '@aws-sdk/client-s3'
import { s3Settings } from '../../../test-support/services.js'
import { s3ClientConfig } from '../../src/stores/s3-client-config.js'

// Clients and per-suite buckets on the S3 service the environment names (test-support/services.ts).

export function s3Service() {
  const settings = s3Settings()
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
