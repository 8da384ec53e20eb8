import type { LeaseBackend } from './lease-locker.js';
/** The directory of lock files, inside the data dir (upload ids never contain a dot). */
export declare const lockDirectory: (dataDir: string) => string;
/**
 * Leases as lock files, one per upload, for the worker processes of one machine (cluster mode
 * without Redis). Created with O_EXCL; the holder refreshes the file's mtime as its renewal. A lock
 * is dead when its owner process is gone (same host) or its mtime is older than the TTL; a dead lock
 * is moved aside under a unique name and checked before it is deleted, so two processes that both
 * saw it dead cannot both delete a fresh lock.
 */
export declare function createFileLeaseBackend(dataDir: string): LeaseBackend;
//# sourceMappingURL=file-lease.d.ts.map