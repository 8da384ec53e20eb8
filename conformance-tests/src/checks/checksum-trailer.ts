import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { sha1 } from './checksum.js'
import { group } from './define.js'

const check = group('checksum-trailer')
const SECTION = 'Checksum'
const requires = ['creation', 'checksum-trailer']

export const checksumTrailerChecks: Check[] = [
  check(
    'patch.match-204',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a chunked PATCH with a matching Upload-Checksum trailer is accepted',
      requires,
    },
    async (ctx) => {
      const data = pattern(64, 9)
      const { url } = await ctx.create(64)
      const res = await ctx.patch(url, 0, data, {
        headers: { Trailer: 'Upload-Checksum' },
        trailers: { 'Upload-Checksum': `sha1 ${sha1(data)}` },
      })
      ctx.expectStatus(res, 204, 'chunked PATCH with a correct Upload-Checksum trailer')
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'patch.mismatch-discarded',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a chunk whose trailer checksum does not match is discarded',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(64)
      const res = await ctx.patch(url, 0, pattern(64, 10), {
        headers: { Trailer: 'Upload-Checksum' },
        trailers: { 'Upload-Checksum': `sha1 ${sha1(pattern(64, 11))}` },
      })
      ctx.expect(res.status !== 204, 'a chunked PATCH with a wrong trailer checksum was accepted (204)', res)
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `after the failed trailer checksum the offset is ${offset}, expected 0`)
    },
  ),
]
