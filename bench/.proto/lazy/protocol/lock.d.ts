import type { Locker } from '@tus/utils';
export interface HeldLocks {
    release(): Promise<void>;
}
/**
 * Takes the locks of the given uploads the way @tus/server does (locker.newLock(id).lock(signal,
 * requestRelease)), so Tusk's own handlers and @tus's exclude each other on the same upload. Ids
 * are locked in sorted order, once each, so two requests naming the same uploads cannot deadlock.
 * `onReleaseRequested` runs (possibly repeatedly) while another request waits for one of them.
 */
export declare function lockUploads(locker: Locker, ids: readonly string[], signal: AbortSignal, onReleaseRequested?: () => void): Promise<HeldLocks>;
//# sourceMappingURL=lock.d.ts.map