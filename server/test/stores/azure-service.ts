import { randomBytes } from 'node:crypto'
import type { ContainerClient } from '@azure/storage-blob'
import { azureSettings } from '../../../test-support/services.js'
import { azureContainerClient } from '../../src/stores/azure-client.js'

// Per-suite containers on the Azurite the environment names (test-support/services.ts).

export function azureService() {
  const settings = azureSettings()
  const containerOf = (name: string): ContainerClient =>
    azureContainerClient({ ...settings, azureContainer: name })
  return {
    settings,
    containerOf,
    /** A fresh container name for one suite (not created: the store creates it when missing). */
    containerName(label: string): string {
      return `tusk-${label}-${randomBytes(4).toString('hex')}`
    },
    /** The names of every blob in the container whose name starts with `prefix`. */
    async list(container: string, prefix?: string): Promise<string[]> {
      const names: string[] = []
      for await (const blob of containerOf(container).listBlobsFlat({ prefix })) names.push(blob.name)
      return names
    },
    async deleteContainer(container: string): Promise<void> {
      await containerOf(container).deleteIfExists()
    },
  }
}
