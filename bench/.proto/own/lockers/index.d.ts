import type { Locker } from '@tus/utils';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
export { withRequestScope } from './request-scope.js';
/** A Locker for @tus/server that says what it is and can be closed. */
export interface TuskLocker extends Locker {
    /** memory: this process only; file: processes of one machine; redis: any number of machines. */
    readonly kind: 'memory' | 'file' | 'redis';
    close(): Promise<void>;
}
export type LockerConfig = Pick<Config, 'redisUrl' | 'workers' | 'dataDir' | 'lockTimeout' | 'lockTtl'>;
/** `workers` as a number ('auto' = one per core). */
export declare const workerCount: (workers: Config["workers"]) => number;
/**
 * The locker the deployment needs, chosen by what shares the uploads: Redis when configured (locks
 * across machines); lock files in the data dir when several workers share this machine; otherwise
 * an in-memory table. A per-process lock across workers would let two of them write one upload.
 */
export declare function createLocker(config: LockerConfig, logger: Logger): TuskLocker;
//# sourceMappingURL=index.d.ts.map