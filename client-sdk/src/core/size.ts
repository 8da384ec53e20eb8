// The one rule for reading a byte size written by a person ("8M", "8MiB", "500kB", "8388608").
// The CLI's --chunk-size and the server's size options both read sizes with it, so the same text
// means the same number of bytes everywhere. Deliberately free of imports, so any package can use it.

/**
 * Units, case-insensitive. A single letter (k, M, G, T) means a power of 1024, as in `dd`, nginx
 * and curl; the `iB` forms say the same explicitly; the `B` forms with a prefix (kB, MB, GB, TB)
 * are the decimal SI units. No unit, or `B`, means bytes.
 */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
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

/** The accepted grammar, in words, for error messages and documentation. */
export const SIZE_SYNTAX =
  'a number of bytes with an optional unit: k, M, G, T or KiB, MiB, GiB, TiB (powers of 1024), kB, MB, GB, TB (powers of 1000), or B'

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i

/**
 * Bytes from a size such as "8M", "8MiB", "1.5GB", "500 kB" or "8388608" (a number is taken as
 * bytes). Fractions are rounded to whole bytes. Returns NaN when the text is not a size or the
 * result is not a safe whole number; the caller decides which range is allowed (e.g. at least 1).
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
