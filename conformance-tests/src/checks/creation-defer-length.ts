import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('creation-defer-length')
const POST = 'Creation > Requests > POST'
const requires = ['creation', 'creation-defer-length']

export const creationDeferLengthChecks: Check[] = [
  check(
    'head.defer-header',
    {
      section: POST,
      level: 'MUST',
      rule: 'while the length is unknown, HEAD carries Upload-Defer-Length: 1',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create({ defer: true })
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-defer-length'] === '1',
        `HEAD: Upload-Defer-Length is ${res.headers['upload-defer-length']}, expected 1`,
        res,
      )
      ctx.expect(
        res.headers['upload-length'] === undefined,
        'HEAD of a deferred upload carries Upload-Length',
        res,
      )
      ctx.expect(
        res.headers['upload-offset'] === '0',
        'HEAD of a deferred upload has no Upload-Offset: 0',
        res,
      )
    },
  ),
  check(
    'head.defer-header-after-patch',
    {
      section: POST,
      level: 'MUST',
      rule: 'Upload-Defer-Length: 1 stays on HEAD after PATCHes that do not set the length',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create({ defer: true })
      await ctx.append(url, 0, pattern(5))
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-defer-length'] === '1',
        `HEAD: Upload-Defer-Length is ${res.headers['upload-defer-length']}, expected 1`,
        res,
      )
    },
  ),
  check(
    'patch.sets-length',
    {
      section: POST,
      level: 'MUST',
      rule: 'a later PATCH sets Upload-Length; HEAD then reports it and drops Upload-Defer-Length',
      requires,
    },
    async (ctx) => {
      const data = pattern(12, 6)
      const { url } = await ctx.create({ defer: true })
      await ctx.append(url, 0, data.subarray(0, 5))
      const res = await ctx.patch(url, 5, data.subarray(5), { headers: { 'Upload-Length': '12' } })
      ctx.expectStatus(res, 204, 'PATCH with Upload-Length: 12')
      const head = await ctx.head(url)
      ctx.expect(
        head.headers['upload-length'] === '12',
        `HEAD: Upload-Length is ${head.headers['upload-length']}, expected 12`,
        head,
      )
      ctx.expect(
        head.headers['upload-defer-length'] === undefined,
        'HEAD still carries Upload-Defer-Length once the length is known',
        head,
      )
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'length-immutable',
    { section: POST, level: 'MUST', rule: 'once set, the length cannot be changed', requires },
    async (ctx) => {
      const { url } = await ctx.create({ defer: true })
      await ctx.append(url, 0, pattern(2))
      const set = await ctx.patch(url, 2, pattern(2), { headers: { 'Upload-Length': '10' } })
      ctx.expectStatus(set, 204, 'PATCH with Upload-Length: 10')
      const change = await ctx.patch(url, 4, pattern(2), { headers: { 'Upload-Length': '20' } })
      ctx.expect(
        change.status >= 400 && change.status < 500,
        `PATCH with a different Upload-Length: 20 was answered ${change.status}, expected a 4xx`,
        change,
      )
      const head = await ctx.head(url)
      ctx.expect(
        head.headers['upload-length'] === '10',
        `after the refused change HEAD says Upload-Length ${head.headers['upload-length']}`,
        head,
      )
    },
  ),
  check(
    'post.invalid-value-400',
    {
      section: POST,
      level: 'SHOULD',
      rule: 'Upload-Defer-Length other than 1 gets 400 Bad Request',
      requires,
    },
    async (ctx) => {
      const res = await ctx.send('POST', ctx.url, { headers: { 'Upload-Defer-Length': '2' } })
      ctx.expectStatus(res, 400, 'POST with Upload-Defer-Length: 2')
    },
  ),
]
