import type { Part } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { storedPrefix, tailFollows } from '../../src/stores/s3-parts.js'

// Which stored parts and which `.part` tail count as the upload's bytes (s3-parts.ts), without S3.

const parts = (...sizes: [number, number][]): Part[] =>
  sizes.map(([PartNumber, Size]) => ({ PartNumber, Size, ETag: `"e${PartNumber}"` }))
const numbers = (list: Part[]) => list.map((part) => part.PartNumber)

describe('storedPrefix', () => {
  it('counts parts 1..n in order whatever order S3 lists them in', () => {
    const prefix = storedPrefix(parts([2, 5], [1, 5], [3, 2]), 12)
    expect(numbers(prefix.parts)).toEqual([1, 2, 3])
    expect([prefix.bytes, prefix.beyond]).toEqual([12, []])
  })

  it('stops at the first missing part and reports the stored parts after it', () => {
    const prefix = storedPrefix(parts([1, 5], [3, 5], [4, 2]), 17)
    expect(numbers(prefix.parts)).toEqual([1])
    expect(prefix.bytes).toBe(5)
    expect(numbers(prefix.beyond)).toEqual([3, 4])
  })

  it('counts nothing when part 1 is missing', () => {
    const prefix = storedPrefix(parts([2, 5]), undefined)
    expect([prefix.bytes, numbers(prefix.beyond)]).toEqual([0, [2]])
  })

  it('stops at an empty part (one emptied after a crash) and does not report it as stored bytes', () => {
    const prefix = storedPrefix(parts([1, 5], [2, 0], [3, 5]), 20)
    expect([numbers(prefix.parts), numbers(prefix.beyond)]).toEqual([[1], [3]])
  })

  it('stops where the parts reach the length: a part numbered after the last is not the upload', () => {
    const prefix = storedPrefix(parts([1, 6], [2, 6], [3, 1]), 12)
    expect([numbers(prefix.parts), prefix.bytes, numbers(prefix.beyond)]).toEqual([[1, 2], 12, [3]])
  })

  it('stops before a part that would run past the length', () => {
    const prefix = storedPrefix(parts([1, 5], [2, 5]), 8)
    expect([numbers(prefix.parts), prefix.bytes]).toEqual([[1], 5])
  })

  it('is empty for a zero-length upload, even with its empty completion part stored', () => {
    expect(storedPrefix(parts([1, 0]), 0)).toEqual({ parts: [], bytes: 0, beyond: [] })
  })
})

describe('tailFollows', () => {
  const after5 = storedPrefix(parts([1, 5]), 20)
  const gap = storedPrefix(parts([1, 5], [3, 5]), 20)

  it('counts a tail that starts where the parts end', () => {
    expect(tailFollows({ size: 3, start: 5 }, after5, 20)).toBe(true)
  })

  it('does not count a tail that starts after a missing part', () => {
    expect(tailFollows({ size: 3, start: 10 }, after5, 20)).toBe(false)
    expect(tailFollows({ size: 3, start: 15 }, gap, 20)).toBe(false)
  })

  it('does not count a tail that would run past the length', () => {
    expect(tailFollows({ size: 16, start: 5 }, after5, 20)).toBe(false)
  })

  it('counts a tail without a recorded start only when no part is stored after the prefix', () => {
    expect(tailFollows({ size: 3, start: undefined }, after5, 20)).toBe(true)
    expect(tailFollows({ size: 3, start: undefined }, gap, 20)).toBe(false)
  })

  it('never counts an empty tail', () => {
    expect(tailFollows({ size: 0, start: 5 }, after5, 20)).toBe(false)
  })
})
