import { type Context, pattern } from '../context.js'
import type { Check } from '../types.js'
import { pathOf } from './concatenation.js'
import { group } from './define.js'

const check = group('concatenation-unfinished')
const SECTION = 'Concatenation'
const requires = ['creation', 'concatenation', 'concatenation-unfinished']

/** Two partials (6 and 4 bytes), the first 2 bytes in, and a final upload over both. */
async function unfinishedFinal(ctx: Context) {
  const a = pattern(6, 23)
  const b = pattern(4, 24)
  const pa = await ctx.create({ length: 6, concat: 'partial' })
  const pb = await ctx.create({ length: 4, concat: 'partial' })
  await ctx.append(pa.url, 0, a.subarray(0, 2))
  const { url } = await ctx.create({ concat: `final;${pathOf(pa.url)} ${pathOf(pb.url)}` })
  const finish = async () => {
    await ctx.append(pa.url, 2, a.subarray(2))
    await ctx.append(pb.url, 0, b)
  }
  return { url, finish, data: Buffer.concat([a, b]) }
}

export const concatenationUnfinishedChecks: Check[] = [
  check(
    'final-completes',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a final upload made before its partials finish has their summed length, then their bytes',
      requires,
    },
    async (ctx) => {
      const { url, finish, data } = await unfinishedFinal(ctx)
      const res = await ctx.head(url)
      // "The Upload-Length header MUST be included if the length of the final resource can be calculated."
      ctx.expect(
        res.headers['upload-length'] === '10',
        `HEAD before the partials finish: Upload-Length ${res.headers['upload-length']}, expected 10`,
        res,
      )
      await finish()
      await ctx.verifyBytes(url, data, 'final upload')
    },
  ),
  check(
    'final-head-unfinished',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'HEAD of an unfinished final upload has no Upload-Offset',
      requires,
    },
    async (ctx) => {
      const { url } = await unfinishedFinal(ctx)
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-offset'] === undefined,
        `HEAD carries Upload-Offset ${res.headers['upload-offset']} before concatenation finished`,
        res,
      )
    },
  ),
]
