import { writevSync } from 'node:fs'

/**
 * Small appends are written inline (writevSync) instead of through libuv's thread pool. Into the page
 * cache a 1 KiB write is a copy of microseconds, where the pool's round trip (queue it, wake a pool
 * thread, wake the event loop again) costs about 17 µs of CPU per write, and slow uploads that trickle
 * 1 KiB chunks pay that per chunk (issue 16; docs/benchmarks.md). Big bodies arrive in 64 KiB reads
 * and keep the pool, where the copy runs beside the socket reads.
 */
export const INLINE_WRITE_LIMIT = 16 * 1024

/**
 * An inline write blocks the event loop for as long as it takes, so the disk's answers decide whether
 * small writes stay inline. Measured on a saturated 2-core machine (2,000 slow uploads, load 5.8): of
 * 168,566 inline writes, 99.95% took < 1 ms, 52 took 1-20 ms (the thread preempted mid-call), none
 * longer. A disk that pushes back (dirty-page throttling, a network or FUSE file system) makes every
 * write slow, or some very slow: then small writes go back to the pool for `pauseMs`, and are tried
 * inline again after that.
 */
export class InlineWrites {
  #from = 0
  #writes = 0
  #slow = 0

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly limits = { slowMs: 1, stallMs: 20, window: 256, slowInWindow: 16, pauseMs: 30_000 },
  ) {}

  /** Whether a batch of `bytes` should be written inline now. */
  allows(bytes: number): boolean {
    return bytes <= INLINE_WRITE_LIMIT && (this.#from === 0 || this.now() >= this.#from)
  }

  /** writevSync, timed; the time it took counts towards sending small writes back to the pool. */
  write(fd: number, chunks: Buffer[], position: number): number {
    const started = this.now()
    try {
      return writevSync(fd, chunks, position)
    } finally {
      this.record(this.now() - started)
    }
  }

  /** One inline write took `ms`: a stall, or too many slow ones in a window, pauses inline writes. */
  record(ms: number): void {
    const { slowMs, stallMs, window, slowInWindow, pauseMs } = this.limits
    if (ms > slowMs) this.#slow++
    if (ms > stallMs || this.#slow > slowInWindow) {
      this.#from = this.now() + pauseMs
      this.#writes = 0
      this.#slow = 0
      return
    }
    if (++this.#writes < window) return
    this.#writes = 0
    this.#slow = 0
  }
}

/** The process's one policy: every data file lives on the same disk as far as it can tell. */
export const inlineWrites = new InlineWrites()
