import type { S3 } from '@aws-sdk/client-s3'
import type { PendingConcatenations } from './types.js'

// Final uploads waiting for partials, on S3: an empty object `tusk-waiting/<partial>/<final>` per
// pair, listed by prefix when the partial finishes. The "/" keeps them apart from every upload's keys
// (upload ids have none). S3 (and Ceph RGW) list and read after a write consistently, which is what
// lets the request that finishes a partial see a final registered just before.
const PREFIX = 'tusk-waiting/'

export function s3PendingConcatenations(s3: S3, bucket: string): PendingConcatenations {
  const folder = (partialId: string) => `${PREFIX}${partialId}/`
  return {
    async add(partialId, finalId) {
      await s3.putObject({ Bucket: bucket, Key: folder(partialId) + finalId, Body: new Uint8Array(0) })
    },
    async waitingFor(partialId) {
      const finals: string[] = []
      let ContinuationToken: string | undefined
      do {
        const page = await s3.listObjectsV2({ Bucket: bucket, Prefix: folder(partialId), ContinuationToken })
        for (const entry of page.Contents ?? []) {
          const id = entry.Key?.slice(folder(partialId).length)
          if (id) finals.push(id)
        }
        ContinuationToken = page.NextContinuationToken
      } while (ContinuationToken)
      return finals
    },
    async remove(partialId, finalId) {
      await s3.deleteObject({ Bucket: bucket, Key: folder(partialId) + finalId })
    },
  }
}
