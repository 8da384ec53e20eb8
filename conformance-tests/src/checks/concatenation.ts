import { b64, type Context, pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'
import { parseMetadataHeader } from './metadata.js'

const check = group('concatenation')
const SECTION = 'Concatenation'
const requires = ['creation', 'concatenation']

/** A finished partial upload holding `data`. */
export async function finishedPartial(ctx: Context, data: Buffer, metadata?: string): Promise<string> {
  const { url } = await ctx.create({ length: data.length, concat: 'partial', metadata })
  await ctx.append(url, 0, data)
  return url
}

/** The path (relative reference) of an upload URL, as the spec's example sends it. */
export const pathOf = (url: string) => new URL(url).pathname

export const concatenationChecks: Check[] = [
  check(
    'partial.head',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'HEAD of a partial upload carries Upload-Offset and Upload-Concat: partial',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create({ length: 5, concat: 'partial' })
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-offset'] === '0',
        `HEAD of a partial upload: Upload-Offset is ${res.headers['upload-offset']}`,
        res,
      )
      ctx.expect(
        res.headers['upload-concat'] === 'partial',
        `HEAD of a partial upload: Upload-Concat is ${res.headers['upload-concat']}`,
        res,
      )
    },
  ),
  check(
    'final.relative-urls',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a final upload of relative partial URLs is their bytes in the listed order',
      requires,
    },
    async (ctx) => {
      const a = pattern(5, 12)
      const b = pattern(6, 13)
      const partials = [await finishedPartial(ctx, a), await finishedPartial(ctx, b)]
      const { url } = await ctx.create({ concat: `final;${partials.map(pathOf).join(' ')}` })
      await ctx.verifyBytes(url, Buffer.concat([a, b]), 'final upload')
    },
  ),
  check(
    'final.absolute-urls',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'partial URLs in Upload-Concat may be absolute',
      requires,
    },
    async (ctx) => {
      const a = pattern(7, 14)
      const b = pattern(3, 15)
      const partials = [await finishedPartial(ctx, b), await finishedPartial(ctx, a)]
      const { url } = await ctx.create({ concat: `final;${partials.join(' ')}` })
      await ctx.verifyBytes(url, Buffer.concat([b, a]), 'final upload')
    },
  ),
  check(
    'final.head',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'HEAD of a finished final upload: Upload-Offset = Upload-Length = sum, and Upload-Concat as sent',
      requires,
    },
    async (ctx) => {
      const partials = [
        await finishedPartial(ctx, pattern(4, 16)),
        await finishedPartial(ctx, pattern(9, 17)),
      ]
      const concat = `final;${partials.map(pathOf).join(' ')}`
      const { url } = await ctx.create({ concat })
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-offset'] === '13' && res.headers['upload-length'] === '13',
        `HEAD of the final upload: Upload-Offset ${res.headers['upload-offset']}, Upload-Length ${res.headers['upload-length']}, expected 13 and 13`,
        res,
      )
      const got = res.headers['upload-concat'] ?? ''
      const [kind, list = ''] = got.split(';')
      const paths = list
        .trim()
        .split(/ +/)
        .filter(Boolean)
        .map((u) => pathOf(ctx.resolve(u)))
      ctx.expect(
        kind?.trim() === 'final' && paths.join(' ') === partials.map(pathOf).join(' '),
        `HEAD of the final upload: Upload-Concat is "${got}", expected "${concat}"`,
        res,
      )
    },
  ),
  check(
    'final.patch-403',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'PATCH to a final upload gets 403 and changes nothing',
      requires,
    },
    async (ctx) => {
      const a = pattern(4, 18)
      const partial = await finishedPartial(ctx, a)
      const { url } = await ctx.create({ concat: `final;${pathOf(partial)}` })
      const res = await ctx.patch(url, 4, pattern(2))
      ctx.expectStatus(res, 403, 'PATCH of a final upload')
      const again = await ctx.patch(url, 0, pattern(4, 19))
      ctx.expectStatus(again, 403, 'PATCH at offset 0 of a final upload')
      await ctx.verifyBytes(url, a, 'final upload')
      await ctx.verifyBytes(partial, a, 'partial upload')
    },
  ),
  check(
    'final.metadata',
    {
      section: SECTION,
      level: 'MUST',
      rule: "partials' metadata is not transferred; the final upload has the metadata of its own request",
      requires,
    },
    async (ctx) => {
      const partial = await finishedPartial(ctx, pattern(3), `partialkey ${b64('p')}`)
      const { url } = await ctx.create({
        concat: `final;${pathOf(partial)}`,
        metadata: `finalkey ${b64('f')}`,
      })
      const res = await ctx.head(url)
      const pairs = parseMetadataHeader(res.headers['upload-metadata']) ?? new Map()
      ctx.expect(!pairs.has('partialkey'), 'the final upload carries the partial upload’s metadata', res)
      ctx.expect(pairs.get('finalkey') === b64('f'), 'the final upload lacks the metadata sent with it', res)
    },
  ),
  check(
    'final.repeated-partial',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'the same partial may appear several times in one final upload',
      requires,
    },
    async (ctx) => {
      const a = pattern(5, 20)
      const partial = await finishedPartial(ctx, a)
      const { url } = await ctx.create({ concat: `final;${pathOf(partial)} ${pathOf(partial)}` })
      await ctx.verifyBytes(url, Buffer.concat([a, a]), 'final upload')
    },
  ),
  check(
    'final.partial-reused',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'a partial may be used in several final uploads',
      requires,
    },
    async (ctx) => {
      const a = pattern(5, 21)
      const b = pattern(2, 22)
      const partials = [await finishedPartial(ctx, a), await finishedPartial(ctx, b)]
      const first = await ctx.create({ concat: `final;${pathOf(partials[0] ?? '')}` })
      const second = await ctx.create({ concat: `final;${partials.map(pathOf).join(' ')}` })
      await ctx.verifyBytes(first.url, a, 'first final upload')
      await ctx.verifyBytes(second.url, Buffer.concat([a, b]), 'second final upload')
    },
  ),
  check(
    'final.unfinished-partial',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'without concatenation-unfinished, a final upload over an unfinished partial is refused (4xx) or ends byte-exact',
      requires,
    },
    async (ctx) => {
      if (ctx.announces('concatenation-unfinished'))
        return ctx.notApplicable('concatenation-unfinished is announced (its own group covers this)')
      const data = pattern(6, 27)
      const partial = await ctx.create({ length: 6, concat: 'partial' })
      await ctx.append(partial.url, 0, data.subarray(0, 2))
      const res = await ctx.send('POST', ctx.url, {
        headers: { 'Upload-Concat': `final;${pathOf(partial.url)}` },
      })
      if (res.status >= 400 && res.status < 500) return
      ctx.expectStatus(res, 201, 'POST of a final upload over an unfinished partial')
      await ctx.append(partial.url, 2, data.subarray(2))
      await ctx.verifyBytes(ctx.resolve(res.headers.location ?? ''), data, 'final upload')
    },
  ),
  check(
    'final.survives-partial-deletion',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'a final upload keeps its bytes when its partials are terminated afterwards',
      requires: ['creation', 'concatenation', 'termination'],
    },
    async (ctx) => {
      const a = pattern(5, 28)
      const partial = await finishedPartial(ctx, a)
      const { url } = await ctx.create({ concat: `final;${pathOf(partial)}` })
      ctx.expectStatus(await ctx.send('DELETE', partial), 204, 'DELETE of the partial upload')
      await ctx.verifyBytes(url, a, 'final upload after its partial was deleted')
    },
  ),
]
