import type { Logger } from '../log.js';
import type { LeaseBackend } from './lease-locker.js';
export declare const lockKey: (id: string) => string;
/**
 * Leases in Redis: SET NX PX to take, a Lua compare-and-pexpire to renew, a Lua compare-and-delete
 * (plus a publish) to release; release requests travel over pub/sub to whichever instance holds
 * the lease. Commands fail fast while Redis is away (no offline queue): a request that needs a lock
 * then gets 503, and ioredis keeps reconnecting in the background.
 */
export declare function createRedisLeaseBackend(url: string, logger: Logger): LeaseBackend;
//# sourceMappingURL=redis-lease.d.ts.map