import { describe, expect, it } from 'vitest'
// The SDK's rule, by relative path: @tusk/server cannot depend on @tusk/client (a workspace cycle).
import { parseSize as sdkParseSize } from '../../client-sdk/src/core/size.js'
import { loadConfig } from '../src/config/load.js'
import { parseSize as serverParseSize } from '../src/config/units.js'

// One table fed to both implementations: the server's size options and the CLI's --chunk-size read
// a size by the same rule, so "8M" is never 8 MiB to one and an error to the other.
const TABLE: ReadonlyArray<[input: string | number, bytes: number]> = [
  ['0', 0],
  ['8388608', 8_388_608],
  ['100B', 100],
  ['100b', 100],
  ['8M', 8 * 2 ** 20],
  ['8m', 8 * 2 ** 20],
  ['8MiB', 8 * 2 ** 20],
  ['8mib', 8 * 2 ** 20],
  ['8MIB', 8 * 2 ** 20],
  ['512k', 512 * 2 ** 10],
  ['512K', 512 * 2 ** 10],
  ['512KiB', 512 * 2 ** 10],
  ['2G', 2 * 2 ** 30],
  ['2GiB', 2 * 2 ** 30],
  ['1T', 2 ** 40],
  ['1TiB', 2 ** 40],
  ['500kB', 500_000],
  ['500KB', 500_000],
  ['8MB', 8_000_000],
  ['1.5GB', 1_500_000_000],
  ['2TB', 2e12],
  [' 8 MiB ', 8 * 2 ** 20],
  ['1.5KiB', 1536],
  ['0.3k', 307],
  ['10 G', 10 * 2 ** 30],
  [1024, 1024],
  [0, 0],
  // Not sizes: NaN from both.
  ['', Number.NaN],
  ['   ', Number.NaN],
  ['lots', Number.NaN],
  ['12 parsecs', Number.NaN],
  ['-1', Number.NaN],
  ['8 M B', Number.NaN],
  ['1e6', Number.NaN],
  ['0x10', Number.NaN],
  ['8Mi', Number.NaN],
  ['8KBi', Number.NaN],
  ['.5M', Number.NaN],
  ['5.M', Number.NaN],
  ['8P', Number.NaN],
  ['8PB', Number.NaN],
  ['9007199254740993', Number.NaN],
  ['99999999T', Number.NaN],
  [-1, Number.NaN],
  [1.5, Number.NaN],
]

describe('one size rule for the server and the SDK/CLI', () => {
  it.each(TABLE)('%j is %d bytes to both', (input, bytes) => {
    expect(sdkParseSize(input)).toBe(bytes)
    expect(serverParseSize(input)).toBe(bytes)
  })

  it('the server reads --max-size 8M as 8 MiB, as the CLI reads --chunk-size 8M', () => {
    expect(loadConfig(['--max-size', '8M'], {}).maxSize).toBe(8 * 2 ** 20)
  })
})
