import { MemoryLocker } from '@tus/server'
import type { Locker } from '@tus/utils'

/** One process, one lock table. (Shared lockers for several processes come with cluster mode.) */
export function createLocker(options: { acquireLockTimeout?: number } = {}): Locker {
  return new MemoryLocker({ acquireLockTimeout: options.acquireLockTimeout ?? 30_000 })
}
