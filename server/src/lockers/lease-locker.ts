import { randomUUID } from 'node:crypto'
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils'
import type { Logger } from '../log.js'
import { currentRequestFence } from './request-scope.js'

/**
 * Where leases live: Redis (any number of machines) or lock files (processes of one machine).
 * A lease is a key/file holding a random token, valid for `ttl` ms unless renewed.
 */
export interface LeaseBackend {
  readonly kind: 'redis' | 'file'
  /** Takes the lease if it is free (or provably dead); false when someone else holds it. */
  tryAcquire(id: string, token: string, ttl: number): Promise<boolean>
  /** Extends our lease; false when it is not ours any more (expired and taken, or removed). */
  renew(id: string, token: string, ttl: number): Promise<boolean>
  /**
   * Drops the lease if it is still ours; with `notify`, tells waiters in every process that it is
   * free (only needed when someone asked for it: waiters also poll).
   */
  release(id: string, token: string, notify: boolean): Promise<void>
  /** Asks whichever process holds the lease to stop its request and release it. */
  requestRelease(id: string): Promise<void>
  /** Receives other processes' release requests and release notices. */
  listen(events: { releaseRequested(id: string): void; released(id: string): void }): void
  /** Resolves when leases can be taken now (for /ready); rejects with the reason otherwise. */
  checkReady(): Promise<void>
  close(): Promise<void>
}

export interface LeaseLockerOptions {
  /** Longest wait for a busy upload before ERR_LOCK_TIMEOUT (answered 423). */
  acquireTimeout: number
  /** Lease length; renewed every ttl/3 while held. */
  ttl: number
  logger: Logger
}

interface Holder {
  requestRelease: RequestRelease
  /** Someone asked for this lock while we held it, so someone waits to hear it is free. */
  wanted: boolean
}

/**
 * @tus/server's Locker over a shared lease store. Acquire = take the lease or ask its holder (in any
 * process) to let go and wait, bounded. Hold = renew every ttl/3; if a renewal says the lease is
 * gone, or none succeeded in time, the request is fenced (cut) *before* anyone else can take the
 * lease, so two writers never overlap. Release = drop the lease and wake the waiters.
 */
export class LeaseLocker implements Locker {
  readonly holders = new Map<string, Set<Holder>>()
  private readonly waiters = new Map<string, Set<() => void>>()
  private readonly live = new Set<LeaseLock>()

  constructor(
    readonly backend: LeaseBackend,
    readonly options: LeaseLockerOptions,
  ) {
    backend.listen({ releaseRequested: (id) => this.askHolders(id), released: (id) => this.wake(id) })
  }

  get kind(): LeaseBackend['kind'] {
    return this.backend.kind
  }

  newLock(id: string): Lock {
    return new LeaseLock(this, id)
  }

  /** Asks this process's holders of `id` to finish (idempotent: @tus's cancel only starts once). */
  askHolders(id: string): void {
    for (const holder of this.holders.get(id) ?? []) {
      holder.wanted = true
      void holder.requestRelease()
    }
  }

  /** Resolves when `id` is released (by this or another process), after `ms`, or on abort. */
  waitForRelease(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set()
      this.waiters.set(id, set)
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        set.delete(done)
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      set.add(done)
    })
  }

  wake(id: string): void {
    for (const done of [...(this.waiters.get(id) ?? [])]) done()
  }

  track(lock: LeaseLock, held: boolean): void {
    if (held) this.live.add(lock)
    else this.live.delete(lock)
  }

  /** Releases what is still held (best effort) and closes the backend. */
  checkReady(): Promise<void> {
    return this.backend.checkReady()
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.live].map((lock) => lock.unlock()))
    await this.backend.close()
  }
}

const RELEASE_REQUEST_INTERVAL = 1_000
const MAX_POLL = 250

class LeaseLock implements Lock {
  private held?: {
    token: string
    holder: Holder
    fence?: (reason: Error) => void
    renewTimer: NodeJS.Timeout
    expiryTimer?: NodeJS.Timeout
  }

  constructor(
    private readonly locker: LeaseLocker,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { backend, options } = this.locker
    const token = randomUUID()
    const deadline = Date.now() + options.acquireTimeout
    let nextReleaseRequest = 0
    let poll = 10
    for (;;) {
      if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT
      if (await backend.tryAcquire(this.id, token, options.ttl)) {
        this.hold(token, requestRelease, Date.now())
        return
      }
      const now = Date.now()
      if (now >= deadline) throw ERRORS.ERR_LOCK_TIMEOUT
      // Repeated now and then: the holder may have taken the lease just after an earlier request.
      if (now >= nextReleaseRequest) {
        nextReleaseRequest = now + RELEASE_REQUEST_INTERVAL
        this.locker.askHolders(this.id)
        await backend.requestRelease(this.id)
      }
      await this.locker.waitForRelease(this.id, Math.min(poll, deadline - now), signal)
      poll = Math.min(poll * 2, MAX_POLL)
    }
  }

  private hold(token: string, requestRelease: RequestRelease, acquiredAt: number): void {
    const { ttl, logger } = this.locker.options
    const holder: Holder = { requestRelease, wanted: false }
    const set = this.locker.holders.get(this.id) ?? new Set()
    set.add(holder)
    this.locker.holders.set(this.id, set)
    const held: NonNullable<LeaseLock['held']> = {
      token,
      holder,
      fence: currentRequestFence(),
      renewTimer: setInterval(() => renew(), Math.max(100, Math.floor(ttl / 3))),
    }
    this.held = held
    this.locker.track(this, true)
    // The lease is ours until sentAt + ttl as Redis/the file sees it; stop a margin before that, so
    // the last bytes are flushed before anyone else can take it.
    const margin = Math.min(1_000, Math.floor(ttl / 5))
    const trustUntil = (sentAt: number) => {
      if (held.expiryTimer) clearTimeout(held.expiryTimer)
      held.expiryTimer = setTimeout(
        () => this.lost('lease could not be renewed in time'),
        sentAt + ttl - margin - Date.now(),
      )
      held.expiryTimer.unref()
    }
    const renew = () => {
      const sentAt = Date.now()
      this.locker.backend.renew(this.id, token, ttl).then(
        (ours) => {
          if (this.held !== held) return
          if (ours) trustUntil(sentAt)
          else this.lost('lease was taken over')
        },
        (error: unknown) => logger.warn({ err: error, id: this.id }, 'lock renewal failed; will retry'),
      )
    }
    held.renewTimer.unref()
    trustUntil(acquiredAt)
  }

  /** Fencing: the lease is (about to be) gone, so this request must stop writing at once. */
  private lost(reason: string): void {
    const held = this.held
    if (!held) return
    this.locker.options.logger.warn(
      { id: this.id, reason },
      'upload lock lost: stopping the request holding it',
    )
    clearInterval(held.renewTimer)
    if (held.expiryTimer) clearTimeout(held.expiryTimer)
    const error = new Error(`upload lock lost: ${reason}`)
    if (held.fence) held.fence(error)
    else void held.holder.requestRelease()
  }

  async unlock(): Promise<void> {
    const held = this.held
    if (!held) return
    this.held = undefined
    this.locker.track(this, false)
    clearInterval(held.renewTimer)
    if (held.expiryTimer) clearTimeout(held.expiryTimer)
    const set = this.locker.holders.get(this.id)
    set?.delete(held.holder)
    if (set?.size === 0) this.locker.holders.delete(this.id)
    try {
      await this.locker.backend.release(this.id, held.token, held.holder.wanted)
    } catch (error) {
      // Not fatal: the lease runs out by itself within ttl.
      this.locker.options.logger.warn(
        { err: error, id: this.id },
        'lock release failed; the lease will expire',
      )
    }
    this.locker.wake(this.id)
  }
}
