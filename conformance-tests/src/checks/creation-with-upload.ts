import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('creation-with-upload')
const SECTION = 'Creation With Upload'
const requires = ['creation-with-upload']

export const creationWithUploadChecks: Check[] = [
  check(
    'announced-with-creation',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'creation-with-upload is only offered together with creation',
      requires,
    },
    async (ctx) => {
      ctx.expect(
        ctx.announces('creation'),
        `Tus-Extension lists creation-with-upload but not creation: ${ctx.discovery.extensions.join(',')}`,
      )
    },
  ),
  check(
    'post.upload-offset',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a POST with a body answers Upload-Offset equal to the bytes accepted',
      requires,
    },
    async (ctx) => {
      const { res } = await ctx.create({ length: 10, body: pattern(6) })
      ctx.expect(
        res.headers['upload-offset'] === '6',
        `POST with 6 body bytes answered Upload-Offset ${res.headers['upload-offset']}`,
        res,
      )
    },
  ),
  check(
    'post.bytes-stored',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'bytes sent with the POST are stored and the upload continues by PATCH',
      requires,
    },
    async (ctx) => {
      const data = pattern(20, 4)
      const { url } = await ctx.create({ length: 20, body: data.subarray(0, 8) })
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 8, `HEAD after a POST with 8 body bytes reports offset ${offset}`)
      await ctx.append(url, 8, data.subarray(8))
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'post.whole-upload',
    { section: SECTION, level: 'MUST', rule: 'the whole upload may be sent in the POST', requires },
    async (ctx) => {
      const data = pattern(16, 5)
      const { url, res } = await ctx.create({ length: 16, body: data })
      ctx.expect(
        res.headers['upload-offset'] === '16',
        `POST with all 16 bytes answered Upload-Offset ${res.headers['upload-offset']}`,
        res,
      )
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'post.expect-continue',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'a POST with Expect: 100-continue (as clients SHOULD send) works',
      requires,
    },
    async (ctx) => {
      const res = await ctx.send('POST', ctx.url, {
        headers: { 'Upload-Length': '4', 'Content-Type': 'application/offset+octet-stream' },
        body: pattern(4),
        expectContinue: true,
      })
      ctx.expectStatus(res, 201, 'POST with Expect: 100-continue')
      ctx.expect(
        res.headers['upload-offset'] === '4',
        `answered Upload-Offset ${res.headers['upload-offset']}, expected 4`,
        res,
      )
    },
  ),
]
