import { OCTET_STREAM, pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('core')
const HEAD = 'Core Protocol > Requests > HEAD'
const PATCH = 'Core Protocol > Requests > PATCH'
const OPTIONS = 'Core Protocol > Requests > OPTIONS'
const RESUMABLE = 'Core Protocol > Headers > Tus-Resumable'
const OVERRIDE = 'Core Protocol > Headers > X-HTTP-Method-Override'
const NEEDS_UPLOAD = ['creation']

export const coreChecks: Check[] = [
  check(
    'options.tus-version',
    { section: OPTIONS, level: 'MUST', rule: 'a successful OPTIONS (200/204) carries Tus-Version' },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url)
      ctx.expectStatus(res, [200, 204], 'OPTIONS')
      ctx.expect(res.headers['tus-version'], 'OPTIONS response has no Tus-Version header', res)
    },
  ),
  check(
    'options.tus-version-list',
    {
      section: 'Core Protocol > Headers > Tus-Version',
      level: 'MUST',
      rule: 'Tus-Version is a comma-separated list of versions that includes 1.0.0',
    },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url)
      const versions = (res.headers['tus-version'] ?? '').split(',').map((v) => v.trim())
      ctx.expect(
        versions.every((v) => /^\d+\.\d+\.\d+$/.test(v)),
        'Tus-Version is not a list of versions',
        res,
      )
      ctx.expect(versions.includes('1.0.0'), 'Tus-Version does not list 1.0.0', res)
    },
  ),
  check(
    'options.ignores-tus-resumable',
    { section: OPTIONS, level: 'MUST', rule: 'OPTIONS ignores Tus-Resumable, even an unsupported one' },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url, { headers: { 'Tus-Resumable': '0.0.1' } })
      ctx.expectStatus(res, [200, 204], 'OPTIONS with Tus-Resumable: 0.0.1')
      ctx.expect(res.headers['tus-version'], 'OPTIONS response has no Tus-Version header', res)
    },
  ),
  check(
    'options.tus-extension-list',
    {
      section: 'Core Protocol > Headers > Tus-Extension',
      level: 'MUST',
      rule: 'Tus-Extension is a comma-separated list of names, omitted when empty',
    },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url)
      const value = res.headers['tus-extension']
      if (value === undefined) return
      const items = value.split(',').map((v) => v.trim())
      ctx.expect(
        items.length > 0 && items.every((v) => /^[a-z0-9-]+$/.test(v)),
        'Tus-Extension is not a list of extension names',
        res,
      )
    },
  ),
  check(
    'options.tus-max-size',
    {
      section: 'Core Protocol > Headers > Tus-Max-Size',
      level: 'MUST',
      rule: 'Tus-Max-Size, when present, is a non-negative integer',
    },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url)
      const value = res.headers['tus-max-size']
      if (value === undefined) return ctx.note('no Tus-Max-Size announced')
      ctx.expect(/^\d+$/.test(value), `Tus-Max-Size "${value}" is not a non-negative integer`, res)
    },
  ),
  check(
    'tus-resumable.in-responses',
    {
      section: RESUMABLE,
      level: 'MUST',
      rule: 'every response except to OPTIONS carries Tus-Resumable: 1.0.0',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url, res: created } = await ctx.create(4)
      const responses = [created, await ctx.head(url), await ctx.patch(url, 0, pattern(4))]
      for (const res of responses) {
        ctx.expect(
          res.headers['tus-resumable'] === '1.0.0',
          `response to ${res.exchange.request.split(' ')[0]} lacks Tus-Resumable: 1.0.0`,
          res,
        )
      }
    },
  ),
  check(
    'tus-resumable.in-error-responses',
    {
      section: RESUMABLE,
      level: 'MUST',
      rule: 'error responses (404, 409) carry Tus-Resumable: 1.0.0 too',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const conflict = await ctx.patch(url, 2, pattern(2))
      const missing = await ctx.head(`${url}0nosuch`)
      for (const res of [conflict, missing]) {
        ctx.expect(
          res.headers['tus-resumable'] === '1.0.0',
          `${res.status} response lacks Tus-Resumable: 1.0.0`,
          res,
        )
      }
    },
  ),
  check(
    'tus-resumable.unsupported-412',
    {
      section: RESUMABLE,
      level: 'MUST',
      rule: 'an unsupported Tus-Resumable version gets 412 Precondition Failed',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.head(url, { 'Tus-Resumable': '0.0.1' })
      ctx.expectStatus(res, 412, 'HEAD with Tus-Resumable: 0.0.1')
    },
  ),
  check(
    'tus-resumable.412-tus-version',
    {
      section: RESUMABLE,
      level: 'MUST',
      rule: 'the answer to an unsupported Tus-Resumable includes Tus-Version',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.head(url, { 'Tus-Resumable': '0.0.1' })
      ctx.expect(res.status >= 400, `HEAD with Tus-Resumable: 0.0.1 was accepted (${res.status})`, res)
      ctx.expect(res.headers['tus-version'], 'the refusal carries no Tus-Version header', res)
    },
  ),
  check(
    'tus-resumable.unsupported-not-processed',
    {
      section: RESUMABLE,
      level: 'MUST',
      rule: 'a request with an unsupported Tus-Resumable is not processed (PATCH stores nothing)',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(8)
      const res = await ctx.patch(url, 0, pattern(8), { headers: { 'Tus-Resumable': '0.0.1' } })
      ctx.expect(res.status >= 400, `PATCH with Tus-Resumable: 0.0.1 was accepted (${res.status})`, res)
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `the refused PATCH moved the offset to ${offset}`, res)
    },
  ),
  check(
    'head.offset-always',
    {
      section: HEAD,
      level: 'MUST',
      rule: 'HEAD includes Upload-Offset, even when it is 0',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.head(url)
      ctx.expectStatus(res, [200, 204], 'HEAD of a new upload')
      ctx.expect(
        res.headers['upload-offset'] === '0',
        `HEAD of a new upload: Upload-Offset is ${res.headers['upload-offset']}, expected 0`,
        res,
      )
    },
  ),
  check(
    'head.offset-when-complete',
    {
      section: HEAD,
      level: 'MUST',
      rule: 'HEAD includes Upload-Offset when the upload is complete',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      await ctx.append(url, 0, pattern(10))
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-offset'] === '10',
        `HEAD of a finished 10-byte upload: Upload-Offset is ${res.headers['upload-offset']}`,
        res,
      )
    },
  ),
  check(
    'head.upload-length',
    {
      section: HEAD,
      level: 'MUST',
      rule: 'HEAD includes Upload-Length when the size is known',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.head(url)
      ctx.expect(
        res.headers['upload-length'] === '10',
        `HEAD: Upload-Length is ${res.headers['upload-length']}, expected 10`,
        res,
      )
    },
  ),
  check(
    'head.status',
    {
      section: HEAD,
      level: 'SHOULD',
      rule: 'a successful HEAD is 200 OK or 204 No Content',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      ctx.expectStatus(await ctx.head(url), [200, 204], 'HEAD of an existing upload')
    },
  ),
  check(
    'head.cache-control',
    {
      section: HEAD,
      level: 'MUST',
      rule: 'HEAD responses carry Cache-Control: no-store',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.head(url)
      const directives = (res.headers['cache-control'] ?? '').split(',').map((d) => d.trim().toLowerCase())
      ctx.expect(
        directives.includes('no-store'),
        `Cache-Control is "${res.headers['cache-control'] ?? ''}", expected no-store`,
        res,
      )
    },
  ),
  check(
    'head.not-found',
    {
      section: HEAD,
      level: 'SHOULD',
      rule: 'HEAD of an unknown upload is 404, 410 or 403, without Upload-Offset',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(1)
      const res = await ctx.head(`${url}0nosuch`)
      ctx.expectStatus(res, [404, 410, 403], 'HEAD of an unknown upload URL')
      ctx.expect(
        res.headers['upload-offset'] === undefined,
        'the not-found answer carries Upload-Offset',
        res,
      )
    },
  ),
  check(
    'patch.204-new-offset',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'a successful PATCH is 204 with the new Upload-Offset',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      const res = await ctx.patch(url, 0, pattern(6))
      ctx.expectStatus(res, 204, 'PATCH of 6 bytes at offset 0')
      ctx.expect(
        res.headers['upload-offset'] === '6',
        `PATCH answered Upload-Offset ${res.headers['upload-offset']}, expected 6`,
        res,
      )
    },
  ),
  check(
    'patch.offset-is-sum',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'the new offset is the old offset plus the bytes received, PATCH after PATCH',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const data = pattern(30, 2)
      const { url } = await ctx.create(30)
      await ctx.append(url, 0, data.subarray(0, 7))
      ctx.expect((await ctx.offsetOf(url)) === 7, 'HEAD does not report offset 7 after the first PATCH')
      await ctx.append(url, 7, data.subarray(7, 20))
      await ctx.append(url, 20, data.subarray(20))
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'patch.offset-mismatch-409',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'a PATCH whose Upload-Offset differs from the current offset gets 409',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(10)
      await ctx.append(url, 0, pattern(4))
      const ahead = await ctx.patch(url, 6, pattern(4))
      ctx.expectStatus(ahead, 409, 'PATCH at offset 6 when the offset is 4')
      const behind = await ctx.patch(url, 0, pattern(4))
      ctx.expectStatus(behind, 409, 'PATCH at offset 0 when the offset is 4')
    },
  ),
  check(
    'patch.offset-mismatch-unmodified',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'a PATCH with the wrong offset leaves the upload unmodified',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const data = pattern(10, 3)
      const { url } = await ctx.create(10)
      await ctx.append(url, 0, data.subarray(0, 4))
      await ctx.patch(url, 6, pattern(4, 9))
      await ctx.patch(url, 0, pattern(4, 9))
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 4, `after two mismatched PATCHes the offset is ${offset}, expected 4`)
      await ctx.append(url, 4, data.subarray(4))
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'patch.content-type-415',
    {
      section: PATCH,
      level: 'SHOULD',
      rule: 'a PATCH without Content-Type: application/offset+octet-stream gets 415 and stores nothing',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.patch(url, 0, pattern(4), {
        headers: { 'Content-Type': 'application/octet-stream' },
      })
      ctx.expectStatus(res, 415, 'PATCH with Content-Type: application/octet-stream')
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `the refused PATCH moved the offset to ${offset}`)
    },
  ),
  check(
    'patch.not-found-404',
    {
      section: PATCH,
      level: 'SHOULD',
      rule: 'a PATCH to an unknown upload gets 404',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(1)
      ctx.expectStatus(await ctx.patch(`${url}0nosuch`, 0, pattern(1)), 404, 'PATCH of an unknown upload URL')
    },
  ),
  check(
    'method-override.patch',
    {
      section: OVERRIDE,
      level: 'MUST',
      rule: 'POST with X-HTTP-Method-Override: PATCH is handled as a PATCH',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(5)
      const res = await ctx.send('POST', url, {
        headers: { 'X-HTTP-Method-Override': 'PATCH', 'Content-Type': OCTET_STREAM, 'Upload-Offset': '0' },
        body: pattern(5),
      })
      ctx.expectStatus(res, 204, 'POST with X-HTTP-Method-Override: PATCH')
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 5, `after the overridden PATCH the offset is ${offset}, expected 5`)
    },
  ),
  check(
    'method-override.head',
    {
      section: OVERRIDE,
      level: 'MUST',
      rule: 'GET with X-HTTP-Method-Override: HEAD is handled as a HEAD',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(5)
      const res = await ctx.send('GET', url, { headers: { 'X-HTTP-Method-Override': 'HEAD' } })
      ctx.expectStatus(res, [200, 204], 'GET with X-HTTP-Method-Override: HEAD')
      ctx.expect(res.headers['upload-offset'] === '0', 'the overridden HEAD has no Upload-Offset: 0', res)
    },
  ),
]
