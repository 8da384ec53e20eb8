import { describe, expect, it } from 'vitest'
import { parseSize } from '../src/core/size.js'

describe('the one size rule (core/size.ts)', () => {
  it('reads a bare number as bytes', () => {
    expect(parseSize('8388608')).toBe(8_388_608)
    expect(parseSize('0')).toBe(0)
    expect(parseSize(1024)).toBe(1024)
  })

  it('reads single-letter units and iB units as powers of 1024, case-insensitively', () => {
    expect(parseSize('8M')).toBe(8 * 2 ** 20)
    expect(parseSize('8m')).toBe(8 * 2 ** 20)
    expect(parseSize('8MiB')).toBe(8 * 2 ** 20)
    expect(parseSize('8mib')).toBe(8 * 2 ** 20)
    expect(parseSize('512k')).toBe(512 * 1024)
    expect(parseSize('512KiB')).toBe(512 * 1024)
    expect(parseSize('2G')).toBe(2 * 2 ** 30)
    expect(parseSize('1T')).toBe(2 ** 40)
    expect(parseSize('1TiB')).toBe(2 ** 40)
  })

  it('reads kB, MB, GB and TB as powers of 1000', () => {
    expect(parseSize('500kB')).toBe(500_000)
    expect(parseSize('8MB')).toBe(8_000_000)
    expect(parseSize('1.5GB')).toBe(1_500_000_000)
    expect(parseSize('2TB')).toBe(2e12)
  })

  it('allows B, spaces around and between, and fractions rounded to whole bytes', () => {
    expect(parseSize('100B')).toBe(100)
    expect(parseSize(' 8 MiB ')).toBe(8 * 2 ** 20)
    expect(parseSize('1.5KiB')).toBe(1536)
    expect(parseSize('0.3k')).toBe(307)
  })

  it('gives NaN for anything that is not a size', () => {
    for (const text of ['', 'lots', '12 parsecs', '-1', '8 M B', '1e6', '0x10', '8Mi', '.5M', '5.M']) {
      expect(parseSize(text), text).toBeNaN()
    }
    expect(parseSize(-1)).toBeNaN()
    expect(parseSize(1.5)).toBeNaN()
    expect(parseSize('99999999T')).toBeNaN() // beyond Number.MAX_SAFE_INTEGER
  })
})
