import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils'

// The locker of a single process. It replaces @tus/server's MemoryLocker, whose waiting lock polls
// with setImmediate and chains one more promise per turn until the holder lets go: a DELETE waiting
// out a PATCH's 3 s drain spun a core and kept ~10^5 promises per waiter alive (40 DELETEs racing
// PATCHes took the server from 75 to 250-510 MiB RSS, kept after the race). Here a waiter asks the
// holder once to let go and sleeps until an unlock wakes it.

interface Held {
  requestRelease: RequestRelease | undefined
  /** Woken (all of them) when the lock is released; each then tries again. */
  waiters: Set<() => void>
}

export class InProcessLocker implements Locker {
  private readonly held = new Map<string, Held>()

  constructor(private readonly acquireTimeoutMs = 30_000) {}

  newLock(id: string): Lock {
    const held = this.held
    const timeoutMs = this.acquireTimeoutMs
    let mine: Held | undefined
    return {
      async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
        const deadline = Date.now() + timeoutMs
        for (;;) {
          const current = held.get(id)
          if (!current) {
            mine = { requestRelease, waiters: new Set() }
            held.set(id, mine)
            return
          }
          if (signal.aborted || Date.now() >= deadline) throw ERRORS.ERR_LOCK_TIMEOUT
          await current.requestRelease?.()
          await released(current, deadline - Date.now(), signal)
        }
      },
      async unlock(): Promise<void> {
        if (!mine || held.get(id) !== mine) throw new Error('Releasing an unlocked lock!')
        held.delete(id)
        for (const wake of mine.waiters) wake()
        mine = undefined
      },
    }
  }
}

/** Resolves when `entry` is released, the time is up or `signal` aborts (the caller then decides). */
function released(entry: Held, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      entry.waiters.delete(done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal.addEventListener('abort', done, { once: true })
    entry.waiters.add(done)
  })
}
