import { describe, expect, it } from 'vitest'
import { parseEndpoint, parseHeaders, parseMetadata, parseSize } from '../src/cli/parse.js'
import { UsageError } from '../src/cli/usage-error.js'

describe('CLI argument parsing', () => {
  it('reads sizes with binary and decimal units', () => {
    expect(parseSize('8MiB')).toBe(8 * 1024 * 1024)
    expect(parseSize('8M')).toBe(8 * 1024 * 1024)
    expect(parseSize('500kB')).toBe(500_000)
    expect(parseSize('1048576')).toBe(1048576)
    expect(() => parseSize('lots')).toThrow(UsageError)
    expect(() => parseSize('0')).toThrow(/at least 1 byte/)
  })

  it('reads metadata pairs, keeping "=" inside values', () => {
    expect(parseMetadata(['a=1', 'b=x=y'])).toEqual({ a: '1', b: 'x=y' })
    expect(() => parseMetadata(['novalue'])).toThrow(UsageError)
  })

  it("reads headers written 'Name: value'", () => {
    expect(parseHeaders(['Authorization: Bearer abc', 'X-A:b'])).toEqual({
      Authorization: 'Bearer abc',
      'X-A': 'b',
    })
    expect(() => parseHeaders(['no colon'])).toThrow(UsageError)
  })

  it('requires an http(s) endpoint', () => {
    expect(parseEndpoint('http://127.0.0.1:1080/files')).toBe('http://127.0.0.1:1080/files')
    expect(() => parseEndpoint(undefined)).toThrow(UsageError)
    expect(() => parseEndpoint('ftp://x/files')).toThrow(UsageError)
  })
})
