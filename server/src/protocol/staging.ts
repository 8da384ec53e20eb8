import os from 'node:os'
import path from 'node:path'
import type { TuskStore } from '../stores/types.js'

/** Where chunks wait for their checksum: the store's choice, else a directory in the OS temp dir. */
export function stagingDirectory(store: TuskStore): string {
  return store.stagingDirectory ?? path.join(os.tmpdir(), 'tusk-staging')
}
