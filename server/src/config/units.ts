// Human-friendly sizes ("8MiB", "1.5GB", "1024") and durations ("30s", "24h", "500ms", "1000").
// Binary and decimal suffixes both exist in the wild; we honour the difference rather than guess.

// Sizes follow the SDK's rule (client-sdk/src/core/size.ts) to the letter, so `8M` means the same
// bytes to the server and to the CLI. The server cannot import @tusk/client (a workspace cycle), so the
// rule is repeated here and server/test/config-size-rule.test.ts feeds one table to both: they cannot drift.
// A single letter (k, M, G, T) and the iB forms are powers of 1024; kB, MB, GB, TB powers of 1000.
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
  t: 2 ** 40,
  tib: 2 ** 40,
  tb: 1e12,
}

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

function parseWithUnits(input: string | number, units: Record<string, number>, defaultUnit: string) {
  if (typeof input === 'number') return input
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input)
  if (!match) return Number.NaN
  const unit = (match[2] || defaultUnit).toLowerCase()
  const factor = units[unit]
  if (factor === undefined) return Number.NaN
  return Math.round(Number(match[1]) * factor)
}

/**
 * Bytes from "8M", "8MiB", "1GB", "1024" or a number, rounded to whole bytes. NaN when it is not a
 * size or the result is not a safe whole number of bytes (as the SDK's parseSize).
 */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : Number.NaN
  const match = SIZE_PATTERN.exec(input)
  if (!match) return Number.NaN
  const factor = SIZE_UNITS[(match[2] ?? '').toLowerCase()]
  if (factor === undefined) return Number.NaN
  const bytes = Math.round(Number(match[1]) * factor)
  return Number.isSafeInteger(bytes) ? bytes : Number.NaN
}

/** Milliseconds from "30s", "24h", "500ms", "1000" (ms) or a number. NaN when it is not a duration. */
export function parseDuration(input: string | number): number {
  return parseWithUnits(input, DURATION_UNITS, 'ms')
}

export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`
  }
  return `${bytes}B`
}
