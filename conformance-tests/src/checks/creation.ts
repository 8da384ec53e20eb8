import { b64 } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'
import { metadataDifference } from './metadata.js'

const check = group('creation')
const POST = 'Creation > Requests > POST'
const METADATA = 'Creation > Headers > Upload-Metadata'
const requires = ['creation']

async function roundTrip(ctx: Parameters<Check['run']>[0], metadata: string): Promise<void> {
  const { url } = await ctx.create({ length: 1, metadata })
  const res = await ctx.head(url)
  const difference = metadataDifference(metadata, res.headers['upload-metadata'])
  if (difference) ctx.fail(`Upload-Metadata not returned as sent: ${difference}`, res)
}

export const creationChecks: Check[] = [
  check(
    'post.201-location',
    {
      section: POST,
      level: 'MUST',
      rule: 'a successful creation is 201 Created with a Location header',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.head(url)
      ctx.expectStatus(res, [200, 204], 'HEAD of the URL in Location')
    },
  ),
  check(
    'post.distinct-locations',
    { section: POST, level: 'MUST', rule: 'each creation gets its own upload URL', requires },
    async (ctx) => {
      const a = await ctx.create(3)
      const b = await ctx.create(3)
      ctx.expect(a.url !== b.url, `two creations returned the same Location ${a.url}`, b.res)
    },
  ),
  check(
    'post.length-zero-complete',
    {
      section: POST,
      level: 'MUST',
      rule: 'Upload-Length: 0 creates an empty upload that is immediately complete',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(0)
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-offset'] === '0' && res.headers['upload-length'] === '0',
        `HEAD of an empty upload: Upload-Offset ${res.headers['upload-offset']}, Upload-Length ${res.headers['upload-length']}`,
        res,
      )
    },
  ),
  check(
    'post.max-size-413',
    {
      section: POST,
      level: 'MUST',
      rule: 'an Upload-Length above Tus-Max-Size gets 413',
      requires,
    },
    async (ctx) => {
      const max = ctx.discovery.maxSize
      if (max === undefined) return ctx.notApplicable('the server announces no Tus-Max-Size')
      const res = await ctx.send('POST', ctx.url, { headers: { 'Upload-Length': String(max + 1) } })
      ctx.expectStatus(res, 413, `POST with Upload-Length ${max + 1} (Tus-Max-Size ${max})`)
    },
  ),
  check(
    'head.no-defer-header',
    {
      section: 'Creation > Headers > Upload-Defer-Length',
      level: 'MUST',
      rule: 'Upload-Defer-Length is omitted when the length is not deferred',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(3)
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-defer-length'] === undefined,
        'HEAD of an upload with a known length carries Upload-Defer-Length',
        res,
      )
    },
  ),
  check(
    'metadata.round-trip',
    { section: POST, level: 'MUST', rule: 'HEAD returns Upload-Metadata as the client sent it', requires },
    async (ctx) =>
      roundTrip(ctx, `filename ${b64('world_domination_plan.pdf')},filetype ${b64('application/pdf')}`),
  ),
  check(
    'metadata.empty-value',
    {
      section: METADATA,
      level: 'MUST',
      rule: 'a key without a value (space left out) is accepted and returned',
      requires,
    },
    async (ctx) => roundTrip(ctx, `filename ${b64('a.txt')},is_confidential`),
  ),
  check(
    'metadata.binary-value',
    {
      section: METADATA,
      level: 'MUST',
      rule: 'values are base64 of arbitrary bytes and come back byte-exact',
      requires,
    },
    async (ctx) => roundTrip(ctx, `blob ${b64(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0xc3]))}`),
  ),
  check(
    'metadata.utf8-value',
    { section: METADATA, level: 'MUST', rule: 'non-ASCII UTF-8 values come back unchanged', requires },
    async (ctx) => roundTrip(ctx, `filename ${b64('résumé 履歴書 🦣.txt')}`),
  ),
]
