import type { ContainerClient } from '@azure/storage-blob'
import { AZURE_CALL_TIMEOUT_MS, withinTimeout } from './azure-timeout.js'
import { PENDING_PREFIX, pairOf, pendingFolder } from './pending-key.js'
import type { PendingConcatenations, PendingPair } from './types.js'

// Final uploads waiting for partials, on Azure Blob Storage: an empty block blob
// `tusk-waiting/<partial>/<final>` per pair, listed by prefix when the partial finishes. The "/" keeps
// them apart from every upload's blobs (upload ids have none, so expiry never takes them for uploads).
// Every call has the store's per-call timeout (azure-timeout.ts): a service that never answers
// would otherwise hold the request finishing a partial, or the tending, for ever.

export function azurePendingConcatenations(
  container: ContainerClient,
  timeoutMs = AZURE_CALL_TIMEOUT_MS,
): PendingConcatenations {
  const folder = pendingFolder
  const pairsUnder = async (prefix: string): Promise<PendingPair[]> => {
    const pairs: PendingPair[] = []
    let continuationToken: string | undefined
    // Page by page, each page one call with its own timeout.
    do {
      const page = await withinTimeout(
        (options) =>
          container
            .listBlobsFlat({ prefix, ...options })
            .byPage({ continuationToken })
            .next(),
        timeoutMs,
      )
      if (page.done) break
      for (const blob of page.value.segment.blobItems) {
        const pair = pairOf(blob.name)
        if (pair) pairs.push(pair)
      }
      continuationToken = page.value.continuationToken || undefined
    } while (continuationToken)
    return pairs
  }
  return {
    async add(partialId, finalId) {
      await withinTimeout(
        (options) => container.getBlockBlobClient(folder(partialId) + finalId).upload('', 0, options),
        timeoutMs,
      )
    },
    async waitingFor(partialId) {
      return (await pairsUnder(folder(partialId))).map((pair) => pair.finalId)
    },
    list: () => pairsUnder(PENDING_PREFIX),
    async remove(partialId, finalId) {
      await withinTimeout(
        (options) => container.getBlobClient(folder(partialId) + finalId).deleteIfExists(options),
        timeoutMs,
      )
    },
  }
}
