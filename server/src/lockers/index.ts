import { availableParallelism } from 'node:os'
import type { Lock, Locker } from '@tus/utils'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import { createFileLeaseBackend } from './file-lease.js'
import { LeaseLocker } from './lease-locker.js'
import { InProcessLocker } from './memory-locker.js'
import { createRedisLeaseBackend } from './redis-lease.js'

export { withRequestScope } from './request-scope.js'

/** A Locker for @tus/server that says what it is and can be closed. */
export interface TuskLocker extends Locker {
  /** memory: this process only; file: processes of one machine; redis: any number of machines. */
  readonly kind: 'memory' | 'file' | 'redis'
  /** Resolves when locks can be taken now (for /ready): Redis answers, the lock directory is writable. */
  checkReady(): Promise<void>
  close(): Promise<void>
}

export type LockerConfig = Pick<Config, 'redisUrl' | 'workers' | 'dataDir' | 'lockTimeout' | 'lockTtl'>

/** `workers` as a number ('auto' = one per core). */
export const workerCount = (workers: Config['workers']) =>
  workers === 'auto' ? availableParallelism() : workers

/**
 * The locker the deployment needs, chosen by what shares the uploads: Redis when configured (locks
 * across machines); lock files in the data dir when several workers share this machine; otherwise
 * an in-memory table. A per-process lock across workers would let two of them write one upload.
 */
export function createLocker(config: LockerConfig, logger: Logger): TuskLocker {
  const lease = { acquireTimeout: config.lockTimeout, ttl: config.lockTtl, logger }
  if (config.redisUrl) return new LeaseLocker(createRedisLeaseBackend(config.redisUrl, logger), lease)
  if (workerCount(config.workers) > 1) return new LeaseLocker(createFileLeaseBackend(config.dataDir), lease)
  const memory = new InProcessLocker(config.lockTimeout)
  return {
    kind: 'memory',
    newLock: (id: string): Lock => memory.newLock(id),
    async checkReady() {},
    async close() {},
  }
}
