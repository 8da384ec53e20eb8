import { createHash } from 'node:crypto'

/** Deterministic pseudo-random bytes (xorshift; no two chunks alike, so misplaced bytes are detected). */
export function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Hex SHA-256 of the bytes, to compare uploads without printing megabytes on a mismatch. */
export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')
