import type { Config } from '../config/schema.js'
import { createFileStore } from './file-store.js'
import type { TuskStore } from './types.js'

export type { StoredObject, TuskStore } from './types.js'

/**
 * The configured store. The S3 store (and the AWS SDK behind it, ~20 MiB of heap) and the Azure store
 * are loaded only when configured, so the embedded default stays lean.
 */
export async function createStore(config: Config): Promise<TuskStore> {
  switch (config.store) {
    case 'file':
      return createFileStore(config)
    case 's3': {
      const { createS3Store } = await import('./s3-store.js')
      return createS3Store(config)
    }
    case 'azure': {
      const { createAzureStore } = await import('./azure-store.js')
      return createAzureStore(config)
    }
  }
}
