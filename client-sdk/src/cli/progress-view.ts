import cliProgress from 'cli-progress'
import wrapAnsi from 'wrap-ansi'
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

// `remaining`, not `eta`: cli-progress fills `{eta}` itself (bare seconds, no unit) over the payload.
const payload = (name: string, p: UploadProgress) => ({
  name,
  done: formatBytes(p.bytesSent),
  size: p.bytesTotal === null ? '?' : formatBytes(p.bytesTotal),
  rate: formatRate(p.rate),
  remaining: formatEta(p.etaSeconds),
})

/**
 * What a bar row shows, fitted to the terminal's width: rows are never cut (the ETA comes last).
 * The widths are the most each part can take ("| 100% 1023.9 MiB/1023.9 MiB 1023.9 MiB/s ETA 59m59s").
 */
function barLayout(columns: number): { format: string; nameWidth: number; barsize: number } {
  const fit = (nameWidth: number, rest: number) => Math.max(5, Math.min(30, columns - 1 - nameWidth - rest))
  if (columns >= 80)
    return {
      format: '{name} |{bar}| {percentage}% {done}/{size} {rate} ETA {remaining}',
      nameWidth: 16,
      barsize: fit(16, 55),
    }
  if (columns >= 60)
    return {
      format: '{name} |{bar}| {percentage}% {done}/{size} ETA {remaining}',
      nameWidth: 12,
      barsize: fit(12, 42),
    }
  return { format: '{name} |{bar}| {percentage}% ETA {remaining}', nameWidth: 12, barsize: fit(12, 20) }
}

const label = (name: string, width: number) =>
  name.length > width ? `…${name.slice(-(width - 1))}` : name.padEnd(width)

// Terminal controls: erase the whole line / to its end, and turn automatic wrapping on / off
// (cli-progress turns it off while the bars are shown, so an over-long bar line cannot scroll).
const ERASE_LINE = '\x1b[2K'
const ERASE_TO_END = '\x1b[K'
const WRAP_ON = '\x1b[?7h'
const WRAP_OFF = '\x1b[?7l'

/**
 * One bar per file plus an overall bar, redrawn in place by cli-progress. Lines about transfers
 * (outcomes, retries, the Ctrl-C notice) are written at once above the bars, word-wrapped to the
 * terminal's width: cli-progress's own `log()` only buffers them until a next redraw, which never
 * comes for the last ones (its `stop()` drops the buffer).
 */
class BarsView implements ProgressView {
  private readonly multibar: cliProgress.MultiBar
  private readonly bars = new Map<
    string,
    { bar: cliProgress.SingleBar; name: string; progress: UploadProgress }
  >()
  private overall: cliProgress.SingleBar | null = null
  private stopped = false
  private readonly nameWidth: number

  constructor(private readonly stream: NodeJS.WriteStream) {
    const layout = barLayout(this.columns())
    this.nameWidth = layout.nameWidth
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        format: layout.format,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        barsize: layout.barsize,
        fps: 10,
        // Redraw every frame, changed or not: a line written above the bars moves them down a row,
        // and cli-progress would otherwise leave the moved bar undrawn until its figures change.
        forceRedraw: true,
        // Our SIGINT handler logs the notice and stops the bars; cli-progress must not stop first.
        gracefulExit: false,
      },
      cliProgress.Presets.shades_classic,
    )
  }

  private columns(): number {
    return this.stream.columns || 80
  }

  add(id: string, name: string, total: number | null): void {
    const progress: UploadProgress = {
      bytesSent: 0,
      bytesAcknowledged: 0,
      bytesTotal: total,
      rate: 0,
      etaSeconds: null,
    }
    const bar = this.multibar.create(total ?? 1, 0, payload(label(name, this.nameWidth), progress))
    this.bars.set(id, { bar, name: label(name, this.nameWidth), progress })
    if (this.bars.size === 2 && !this.overall) {
      this.overall = this.multibar.create(1, 0, payload(label('total', this.nameWidth), progress))
    }
  }

  update(id: string, progress: UploadProgress): void {
    const entry = this.bars.get(id)
    if (!entry || this.stopped) return
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
        payload(label('total', this.nameWidth), {
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
    // Wrapped at spaces to the width; a word longer than the line (a long URL) is left whole and
    // the terminal wraps it (wrapping is on for just this text), so it still copies as one.
    const text = wrapAnsi(line, Math.max(20, this.columns() - 1), { hard: false, trim: true })
      .split('\n')
      .map((part) => `\r${ERASE_LINE}${WRAP_ON}${part}${ERASE_TO_END}${WRAP_OFF}\n`)
      .join('')
    if (this.multibar.isActive) {
      this.multibar.log(text)
      this.multibar.update() // redraw now: writes the line above the bars
    } else {
      this.stream.write(text.replaceAll(WRAP_OFF, ''))
    }
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    if (this.multibar.isActive) {
      this.multibar.update() // last figures (and any line still buffered) before the final frame
      this.multibar.stop()
    }
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
