import type { Config } from '../config/schema.js'
import { createFileStore } from './file-store.js'
import type { TuskStore } from './types.js'

export type { StoredObject, TuskStore } from './types.js'

export function createStore(config: Config): TuskStore {
  switch (config.store) {
    case 'file':
      return createFileStore(config)
  }
}
