import { type Lock, type Locker, type RequestRelease } from '@tus/utils';
import type { Logger } from '../log.js';
/**
 * Where leases live: Redis (any number of machines) or lock files (processes of one machine).
 * A lease is a key/file holding a random token, valid for `ttl` ms unless renewed.
 */
export interface LeaseBackend {
    readonly kind: 'redis' | 'file';
    /** Takes the lease if it is free (or provably dead); false when someone else holds it. */
    tryAcquire(id: string, token: string, ttl: number): Promise<boolean>;
    /** Extends our lease; false when it is not ours any more (expired and taken, or removed). */
    renew(id: string, token: string, ttl: number): Promise<boolean>;
    /**
     * Drops the lease if it is still ours; with `notify`, tells waiters in every process that it is
     * free (only needed when someone asked for it: waiters also poll).
     */
    release(id: string, token: string, notify: boolean): Promise<void>;
    /** Asks whichever process holds the lease to stop its request and release it. */
    requestRelease(id: string): Promise<void>;
    /** Receives other processes' release requests and release notices. */
    listen(events: {
        releaseRequested(id: string): void;
        released(id: string): void;
    }): void;
    close(): Promise<void>;
}
export interface LeaseLockerOptions {
    /** Longest wait for a busy upload before ERR_LOCK_TIMEOUT (answered 423). */
    acquireTimeout: number;
    /** Lease length; renewed every ttl/3 while held. */
    ttl: number;
    logger: Logger;
}
interface Holder {
    requestRelease: RequestRelease;
    /** Someone asked for this lock while we held it, so someone waits to hear it is free. */
    wanted: boolean;
}
/**
 * @tus/server's Locker over a shared lease store. Acquire = take the lease or ask its holder (in any
 * process) to let go and wait, bounded. Hold = renew every ttl/3; if a renewal says the lease is
 * gone, or none succeeded in time, the request is fenced (cut) *before* anyone else can take the
 * lease, so two writers never overlap. Release = drop the lease and wake the waiters.
 */
export declare class LeaseLocker implements Locker {
    readonly backend: LeaseBackend;
    readonly options: LeaseLockerOptions;
    readonly holders: Map<string, Set<Holder>>;
    private readonly waiters;
    private readonly live;
    constructor(backend: LeaseBackend, options: LeaseLockerOptions);
    get kind(): LeaseBackend['kind'];
    newLock(id: string): Lock;
    /** Asks this process's holders of `id` to finish (idempotent: @tus's cancel only starts once). */
    askHolders(id: string): void;
    /** Resolves when `id` is released (by this or another process), after `ms`, or on abort. */
    waitForRelease(id: string, ms: number, signal: AbortSignal): Promise<void>;
    wake(id: string): void;
    track(lock: LeaseLock, held: boolean): void;
    /** Releases what is still held (best effort) and closes the backend. */
    close(): Promise<void>;
}
declare class LeaseLock implements Lock {
    private readonly locker;
    private readonly id;
    private held?;
    constructor(locker: LeaseLocker, id: string);
    lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void>;
    private hold;
    /** Fencing: the lease is (about to be) gone, so this request must stop writing at once. */
    private lost;
    unlock(): Promise<void>;
}
export {};
//# sourceMappingURL=lease-locker.d.ts.map