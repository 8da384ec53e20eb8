// Sizes and durations for people reading a terminal: one unit system (binary, as `formatSize` and
// the CLI use: KiB, MiB, GiB) and durations in ms, s, min or h, never raw milliseconds.

const BINARY_UNITS = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
] as const

/** "0 B", "312 B", "8.0 MiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  for (const [unit, factor] of BINARY_UNITS) {
    if (bytes >= factor) return `${(bytes / factor).toFixed(1)} ${unit}`
  }
  return `${bytes} B`
}

/** "0.4 ms", "12 ms", "1.52 s", "2 min 3 s", "24 h", "1 h 30 min". */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(2))} s`
  if (ms < 3_600_000) {
    const minutes = Math.floor(ms / 60_000)
    const seconds = Math.round((ms % 60_000) / 1_000)
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`
  }
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.round((ms % 3_600_000) / 60_000)
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`
}
