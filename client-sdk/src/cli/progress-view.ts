import cliProgress from 'cli-progress'
import type { UploadProgress } from '../core/types.js'
import { formatBytes, formatEta, formatRate, percent } from './format.js'

/** How a command shows transfers: live bars on a terminal, plain lines otherwise, nothing for --json. */
export interface ProgressView {
  add(id: string, name: string, total: number | null): void
  update(id: string, progress: UploadProgress): void
  /** Prints a line about one transfer (its outcome) without disturbing the bars. */
  log(line: string): void
  stop(): void
}

export function createProgressView(options: { json: boolean; stream?: NodeJS.WriteStream }): ProgressView {
  const stream = options.stream ?? process.stdout
  if (options.json) return new LinesView(process.stderr, true)
  return stream.isTTY ? new BarsView(stream) : new LinesView(stream, false)
}

const payload = (name: string, p: UploadProgress) => ({
  name,
  done: formatBytes(p.bytesSent),
  size: p.bytesTotal === null ? '?' : formatBytes(p.bytesTotal),
  rate: formatRate(p.rate),
  eta: formatEta(p.etaSeconds),
})

/** One bar per file plus an overall bar (cli-progress redraws them in place). */
class BarsView implements ProgressView {
  private readonly multibar: cliProgress.MultiBar
  private readonly bars = new Map<
    string,
    { bar: cliProgress.SingleBar; name: string; progress: UploadProgress }
  >()
  private overall: cliProgress.SingleBar | null = null

  constructor(stream: NodeJS.WriteStream) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        format: '{name} |{bar}| {percentage}% {done}/{size} {rate} ETA {eta}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        barsize: 30,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    )
  }

  add(id: string, name: string, total: number | null): void {
    const progress: UploadProgress = {
      bytesSent: 0,
      bytesAcknowledged: 0,
      bytesTotal: total,
      rate: 0,
      etaSeconds: null,
    }
    const label = name.length > 24 ? `…${name.slice(-23)}` : name.padEnd(24)
    const bar = this.multibar.create(total ?? 1, 0, payload(label, progress))
    this.bars.set(id, { bar, name: label, progress })
    if (this.bars.size === 2 && !this.overall) {
      this.overall = this.multibar.create(1, 0, payload('total'.padEnd(24), progress))
    }
  }

  update(id: string, progress: UploadProgress): void {
    const entry = this.bars.get(id)
    if (!entry) return
    entry.progress = progress
    if (progress.bytesTotal !== null) entry.bar.setTotal(progress.bytesTotal)
    entry.bar.update(progress.bytesSent, payload(entry.name, progress))
    if (this.overall) {
      let sent = 0
      let total = 0
      let rate = 0
      for (const { progress: p } of this.bars.values()) {
        sent += p.bytesSent
        total += p.bytesTotal ?? p.bytesSent
        rate += p.rate
      }
      const eta = rate > 0 ? (total - sent) / rate : null
      this.overall.setTotal(Math.max(total, 1))
      this.overall.update(
        sent,
        payload('total'.padEnd(24), {
          bytesSent: sent,
          bytesAcknowledged: 0,
          bytesTotal: total,
          rate,
          etaSeconds: eta,
        }),
      )
    }
  }

  log(line: string): void {
    this.multibar.log(`${line}\n`)
  }

  stop(): void {
    this.multibar.stop()
  }
}

/** Line-based progress for logs and pipes: one line per file every few seconds or 10%. */
class LinesView implements ProgressView {
  private readonly state = new Map<string, { name: string; lastAt: number; lastDecile: number }>()

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly quietProgress: boolean,
  ) {}

  add(id: string, name: string): void {
    this.state.set(id, { name, lastAt: 0, lastDecile: -1 })
  }

  update(id: string, p: UploadProgress): void {
    const entry = this.state.get(id)
    if (!entry || this.quietProgress) return
    const now = Date.now()
    const decile = p.bytesTotal ? Math.floor((p.bytesSent / p.bytesTotal) * 10) : -1
    if (decile === entry.lastDecile && now - entry.lastAt < 2_000) return
    if (decile >= 10 && entry.lastDecile >= 10) return
    entry.lastAt = now
    entry.lastDecile = decile
    this.stream.write(
      `${entry.name}: ${percent(p.bytesSent, p.bytesTotal)} ${formatBytes(p.bytesSent)}/${
        p.bytesTotal === null ? '?' : formatBytes(p.bytesTotal)
      } ${formatRate(p.rate)} ETA ${formatEta(p.etaSeconds)}\n`,
    )
  }

  log(line: string): void {
    this.stream.write(`${line}\n`)
  }

  stop(): void {}
}
