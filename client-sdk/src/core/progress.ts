import type { UploadProgress } from './types.js'

const WINDOW_MS = 5_000

/**
 * Turns raw byte counts into progress figures. The rate is measured over the last few seconds of
 * samples (not since the start), so it follows the connection as it speeds up or slows down.
 */
export class ProgressTracker {
  private samples: Array<{ at: number; sent: number }> = []
  private sent = 0
  private acknowledgedByUrl = new Map<string, number>()
  total: number | null = null

  constructor(private readonly now: () => number = () => Date.now()) {}

  setSent(bytes: number): void {
    const at = this.now()
    // A resume restarts the count at the server's offset: drop the window so the rate stays honest.
    if (bytes < this.sent) this.samples = []
    this.sent = bytes
    this.samples.push({ at, sent: bytes })
    while (this.samples.length > 2 && at - (this.samples[0]?.at ?? at) > WINDOW_MS) this.samples.shift()
  }

  /** Records the server's offset for one upload URL (a parallel upload has one per partial). */
  setAcknowledged(url: string, offset: number, single: boolean): void {
    if (single) this.acknowledgedByUrl.clear()
    this.acknowledgedByUrl.set(url, offset)
  }

  get acknowledged(): number {
    let sum = 0
    for (const offset of this.acknowledgedByUrl.values()) sum += offset
    return sum
  }

  snapshot(): UploadProgress {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    const elapsed = first && last ? (last.at - first.at) / 1000 : 0
    const rate = first && last && elapsed > 0 ? Math.max(0, (last.sent - first.sent) / elapsed) : 0
    const acknowledged = this.acknowledged
    const bytesSent = Math.max(this.sent, acknowledged)
    const etaSeconds =
      this.total === null
        ? null
        : bytesSent >= this.total
          ? 0
          : rate > 0
            ? (this.total - bytesSent) / rate
            : null
    return { bytesSent, bytesAcknowledged: acknowledged, bytesTotal: this.total, rate, etaSeconds }
  }
}
