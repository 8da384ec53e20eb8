import type { ContainerClient } from '@azure/storage-blob'
import { PENDING_PREFIX, pairOf, pendingFolder } from './pending-key.js'
import type { PendingConcatenations, PendingPair } from './types.js'

// Final uploads waiting for partials, on Azure Blob Storage: an empty block blob
// `tusk-waiting/<partial>/<final>` per pair, listed by prefix when the partial finishes. The "/" keeps
// them apart from every upload's blobs (upload ids have none, so expiry never takes them for uploads).

export function azurePendingConcatenations(container: ContainerClient): PendingConcatenations {
  const folder = pendingFolder
  const pairsUnder = async (prefix: string): Promise<PendingPair[]> => {
    const pairs: PendingPair[] = []
    for await (const blob of container.listBlobsFlat({ prefix })) {
      const pair = pairOf(blob.name)
      if (pair) pairs.push(pair)
    }
    return pairs
  }
  return {
    async add(partialId, finalId) {
      await container.getBlockBlobClient(folder(partialId) + finalId).upload('', 0)
    },
    async waitingFor(partialId) {
      return (await pairsUnder(folder(partialId))).map((pair) => pair.finalId)
    },
    list: () => pairsUnder(PENDING_PREFIX),
    async remove(partialId, finalId) {
      await container.getBlobClient(folder(partialId) + finalId).deleteIfExists()
    },
  }
}
