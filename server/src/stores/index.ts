import type { Config } from '../config/schema.js'
import { createFileStore } from './file-store.js'
import { createS3Store } from './s3-store.js'
import type { TuskStore } from './types.js'

export type { StoredObject, TuskStore } from './types.js'

export function createStore(config: Config): TuskStore {
  switch (config.store) {
    case 'file':
      return createFileStore(config)
    case 's3':
      return createS3Store(config)
  }
}
