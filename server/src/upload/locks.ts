import type { Lock, Locker } from '@tus/utils'

export interface HeldLocks {
  release(): Promise<void>
}

/**
 * Takes the locks of the given uploads the way @tus/server does (locker.newLock(id).lock(signal,
 * requestRelease)), so Tusk's own handlers and @tus's exclude each other on the same upload. Ids
 * are locked in sorted order, once each, so two requests naming the same uploads cannot deadlock.
 * `onReleaseRequested` runs (possibly repeatedly) while another request waits for one of them.
 */
export async function lockUploads(
  locker: Locker,
  ids: readonly string[],
  signal: AbortSignal,
  onReleaseRequested: () => void = () => {},
): Promise<HeldLocks> {
  const held: Lock[] = []
  const release = async () => {
    for (const lock of held.reverse()) await lock.unlock()
    held.length = 0
  }
  try {
    for (const id of [...new Set(ids)].sort()) {
      const lock = locker.newLock(id)
      await lock.lock(signal, onReleaseRequested)
      held.push(lock)
    }
  } catch (error) {
    await release()
    throw error
  }
  return { release }
}
