import type { ContainerClient } from '@azure/storage-blob'
import type { PendingConcatenations } from './types.js'

// Final uploads waiting for partials, on Azure Blob Storage: an empty block blob
// `tusk-waiting/<partial>/<final>` per pair, listed by prefix when the partial finishes. The "/" keeps
// them apart from every upload's blobs (upload ids have none, so expiry never takes them for uploads).
const PREFIX = 'tusk-waiting/'

export function azurePendingConcatenations(container: ContainerClient): PendingConcatenations {
  const folder = (partialId: string) => `${PREFIX}${partialId}/`
  return {
    async add(partialId, finalId) {
      await container.getBlockBlobClient(folder(partialId) + finalId).upload('', 0)
    },
    async waitingFor(partialId) {
      const finals: string[] = []
      for await (const blob of container.listBlobsFlat({ prefix: folder(partialId) })) {
        const id = blob.name.slice(folder(partialId).length)
        if (id) finals.push(id)
      }
      return finals
    },
    async remove(partialId, finalId) {
      await container.getBlobClient(folder(partialId) + finalId).deleteIfExists()
    },
  }
}
