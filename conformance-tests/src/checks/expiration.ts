import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { group, IMF_FIXDATE } from './define.js'

const check = group('expiration')
const SECTION = 'Expiration > Headers > Upload-Expires'
const requires = ['creation', 'expiration']

export const expirationChecks: Check[] = [
  check(
    'patch.upload-expires',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'PATCH responses for an unfinished upload carry Upload-Expires',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.patch(url, 0, pattern(3))
      ctx.expectStatus(res, 204, 'PATCH of 3 bytes')
      ctx.expect(
        res.headers['upload-expires'],
        'the PATCH response of an expiring upload has no Upload-Expires',
        res,
      )
    },
  ),
  check(
    'post.upload-expires',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'when expiry is known at creation, the POST response carries Upload-Expires',
      requires,
    },
    async (ctx) => {
      const { url, res } = await ctx.create(10)
      const patch = await ctx.patch(url, 0, pattern(3))
      // The server shows it knows the expiry by sending it on PATCH; then it knew it at creation too.
      if (!patch.headers['upload-expires'])
        ctx.notApplicable('the server gives no Upload-Expires at all (see patch.upload-expires)')
      ctx.expect(res.headers['upload-expires'], 'the creation response has no Upload-Expires', res)
    },
  ),
  check(
    'format',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'Upload-Expires is an RFC 9110 date (IMF-fixdate) in the future',
      requires,
    },
    async (ctx) => {
      const { url, res: created } = await ctx.create(10)
      const patched = await ctx.patch(url, 0, pattern(3))
      const seen = [created, patched].filter((r) => r.headers['upload-expires'] !== undefined)
      if (seen.length === 0)
        ctx.notApplicable('the server gives no Upload-Expires at all (see patch.upload-expires)')
      for (const res of seen) {
        const value = res.headers['upload-expires'] ?? ''
        ctx.expect(IMF_FIXDATE.test(value), `Upload-Expires "${value}" is not an IMF-fixdate`, res)
        ctx.expect(Date.parse(value) > Date.now() - 1000, `Upload-Expires "${value}" is in the past`, res)
      }
    },
  ),
]
