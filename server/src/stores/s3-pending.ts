import type { S3 } from '@aws-sdk/client-s3'
import { PENDING_PREFIX, pairOf, pendingFolder } from './pending-key.js'
import type { PendingConcatenations, PendingPair } from './types.js'

// Final uploads waiting for partials, on S3: an empty object `tusk-waiting/<partial>/<final>` per
// pair, listed by prefix when the partial finishes. The "/" keeps them apart from every upload's keys
// (upload ids have none). S3 (and Ceph RGW) list and read after a write consistently, which is what
// lets the request that finishes a partial see a final registered just before.

export function s3PendingConcatenations(s3: S3, bucket: string): PendingConcatenations {
  const folder = pendingFolder
  // The markers whose keys start with `prefix`, as pairs.
  const pairsUnder = async (prefix: string): Promise<PendingPair[]> => {
    const pairs: PendingPair[] = []
    let ContinuationToken: string | undefined
    do {
      const page = await s3.listObjectsV2({ Bucket: bucket, Prefix: prefix, ContinuationToken })
      for (const entry of page.Contents ?? []) {
        const pair = pairOf(entry.Key)
        if (pair) pairs.push(pair)
      }
      ContinuationToken = page.NextContinuationToken
    } while (ContinuationToken)
    return pairs
  }
  return {
    async add(partialId, finalId) {
      await s3.putObject({ Bucket: bucket, Key: folder(partialId) + finalId, Body: new Uint8Array(0) })
    },
    async waitingFor(partialId) {
      return (await pairsUnder(folder(partialId))).map((pair) => pair.finalId)
    },
    list: () => pairsUnder(PENDING_PREFIX),
    async remove(partialId, finalId) {
      await s3.deleteObject({ Bucket: bucket, Key: folder(partialId) + finalId })
    },
  }
}
