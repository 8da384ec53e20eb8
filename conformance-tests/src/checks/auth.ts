import { type Context, pattern } from '../context.js'
import type { HttpResponse } from '../http.js'
import type { AuthTokens, Check } from '../types.js'
import { group } from './define.js'

// Authentication and ownership (not part of tus 1.0.0): with two owners' tokens, a request without a
// token is refused with 401 and a Bearer challenge (RFC 6750), and owner B is answered on each of
// owner A's uploads exactly as for an upload that does not exist, so B learns nothing and changes
// nothing; A's upload is read back as A afterwards. Every other group runs as A.

const check = group('auth')
const NO_TOKEN_SECTION = 'Authentication > RFC 6750 Bearer token: a request without one'
const OWNER_SECTION = 'Authentication > Ownership: another owner sees no upload'
const requires = ['creation']

const NO_TOKEN = { Authorization: undefined }

function tokensOf(ctx: Context): AuthTokens {
  if (!ctx.tokens) {
    ctx.notApplicable(
      'not applicable: no tokens given (pass two owners’ tokens with --token-a and --token-b, or --tokens-command)',
    )
  }
  return ctx.tokens
}

const asB = (tokens: AuthTokens) => ({ Authorization: `Bearer ${tokens.b}` })

/** 401 with `WWW-Authenticate: Bearer …`. */
function expectBearer401(ctx: Context, res: HttpResponse, what: string): void {
  ctx.expectStatus(res, 401, `${what} without a token`)
  const challenge = res.headers['www-authenticate']
  ctx.expect(
    /^\s*Bearer(\s|$)/i.test(challenge ?? ''),
    `${what} without a token: 401 without a WWW-Authenticate: Bearer challenge (got ${challenge === undefined ? 'none' : `"${challenge}"`})`,
    res,
  )
}

/** What HEAD says about an upload, as A. */
async function stateOf(ctx: Context, url: string): Promise<string> {
  const res = await ctx.head(url)
  const h = res.headers
  return `${res.status} offset=${h['upload-offset']} length=${h['upload-length']} metadata=${h['upload-metadata']} concat=${h['upload-concat']}`
}

async function expectUnchanged(ctx: Context, url: string, before: string, what: string): Promise<void> {
  const after = await stateOf(ctx, url)
  ctx.expect(after === before, `${what}: A's upload changed (HEAD as A before: ${before}; after: ${after})`)
}

/**
 * B's answer on A's upload must be 404, or whatever an upload that does not exist gets (asked the
 * same way, as B): anything else (403, 200, 401) tells B the upload exists.
 */
function expectLikeMissing(ctx: Context, res: HttpResponse, missing: HttpResponse, what: string): void {
  if (res.status >= 400 && (res.status === 404 || res.status === missing.status)) return
  ctx.fail(
    `${what} as owner B: got ${res.status}, expected 404 (or ${missing.status}, the answer for an upload that does not exist)`,
    res,
  )
}

/** A's upload of 10 bytes, 4 of them sent, with metadata. */
async function uploadOfA(ctx: Context): Promise<{ url: string; data: Buffer; before: string }> {
  const data = pattern(10, 41)
  const { url } = await ctx.create({ length: data.length, metadata: 'owner YQ==' })
  await ctx.append(url, 0, data.subarray(0, 4))
  return { url, data, before: await stateOf(ctx, url) }
}

/** A's finished upload that A can download; not applicable when the server serves no downloads. */
async function finishedUploadOfA(ctx: Context): Promise<{ url: string; data: Buffer }> {
  const data = pattern(6, 43)
  const { url } = await ctx.create(data.length)
  await ctx.append(url, 0, data)
  const got = await ctx.download(url)
  if (got === undefined) ctx.notApplicable('the server serves no GET download')
  return { url, data }
}

export const authChecks: Check[] = [
  check(
    'no-token.post-401',
    {
      section: NO_TOKEN_SECTION,
      level: 'MUST',
      rule: 'POST (creation) without a token gets 401 with WWW-Authenticate: Bearer',
      requires,
    },
    async (ctx) => {
      tokensOf(ctx)
      const res = await ctx.send('POST', ctx.url, { headers: { ...NO_TOKEN, 'Upload-Length': '10' } })
      expectBearer401(ctx, res, 'POST')
    },
  ),
  check(
    'no-token.head-401',
    {
      section: NO_TOKEN_SECTION,
      level: 'MUST',
      rule: 'HEAD of an upload without a token gets 401 with WWW-Authenticate: Bearer',
      requires,
    },
    async (ctx) => {
      tokensOf(ctx)
      const { url } = await uploadOfA(ctx)
      expectBearer401(ctx, await ctx.head(url, NO_TOKEN), 'HEAD')
    },
  ),
  check(
    'no-token.patch-401',
    {
      section: NO_TOKEN_SECTION,
      level: 'MUST',
      rule: "PATCH without a token gets 401 with WWW-Authenticate: Bearer and leaves A's upload unchanged",
      requires,
    },
    async (ctx) => {
      tokensOf(ctx)
      const { url, data, before } = await uploadOfA(ctx)
      expectBearer401(ctx, await ctx.patch(url, 4, data.subarray(4), { headers: NO_TOKEN }), 'PATCH')
      await expectUnchanged(ctx, url, before, 'after a PATCH without a token')
    },
  ),
  check(
    'no-token.get-401',
    {
      section: NO_TOKEN_SECTION,
      level: 'MUST',
      rule: 'GET (download) of a finished upload without a token gets 401 with WWW-Authenticate: Bearer',
      requires,
    },
    async (ctx) => {
      tokensOf(ctx)
      const { url } = await finishedUploadOfA(ctx)
      const res = await ctx.send('GET', url, { headers: { ...NO_TOKEN, 'Tus-Resumable': undefined } })
      expectBearer401(ctx, res, 'GET')
    },
  ),
  check(
    'no-token.delete-401',
    {
      section: NO_TOKEN_SECTION,
      level: 'MUST',
      rule: "DELETE without a token gets 401 with WWW-Authenticate: Bearer and A's upload stays",
      requires: ['creation', 'termination'],
    },
    async (ctx) => {
      tokensOf(ctx)
      const { url, before } = await uploadOfA(ctx)
      expectBearer401(ctx, await ctx.send('DELETE', url, { headers: NO_TOKEN }), 'DELETE')
      await expectUnchanged(ctx, url, before, 'after a DELETE without a token')
    },
  ),
  check(
    'other-owner.head-404',
    {
      section: OWNER_SECTION,
      level: 'MUST',
      rule: "HEAD of A's upload as owner B gets 404, as for an upload that does not exist",
      requires,
    },
    async (ctx) => {
      const tokens = tokensOf(ctx)
      const { url, before } = await uploadOfA(ctx)
      const missing = await ctx.head(`${url}0nosuch`, asB(tokens))
      const res = await ctx.head(url, asB(tokens))
      expectLikeMissing(ctx, res, missing, "HEAD of A's upload")
      ctx.expect(res.headers['upload-offset'] === undefined, 'HEAD as owner B revealed Upload-Offset', res)
      await expectUnchanged(ctx, url, before, 'after a HEAD as owner B')
    },
  ),
  check(
    'other-owner.patch-404',
    {
      section: OWNER_SECTION,
      level: 'MUST',
      rule: "PATCH of A's upload as owner B gets 404 and A's offset and bytes stay A's",
      requires,
    },
    async (ctx) => {
      const tokens = tokensOf(ctx)
      const { url, data, before } = await uploadOfA(ctx)
      const intruder = Buffer.alloc(6, 0x58)
      const missing = await ctx.patch(`${url}0nosuch`, 4, intruder, { headers: asB(tokens) })
      const res = await ctx.patch(url, 4, intruder, { headers: asB(tokens) })
      expectLikeMissing(ctx, res, missing, "PATCH of A's upload")
      await expectUnchanged(ctx, url, before, 'after a PATCH as owner B')
      // A finishes the upload: it must hold A's bytes only.
      await ctx.append(url, 4, data.subarray(4))
      await ctx.verifyBytes(url, data, "A's upload after B's PATCH")
    },
  ),
  check(
    'other-owner.get-404',
    {
      section: OWNER_SECTION,
      level: 'MUST',
      rule: "GET (download) of A's finished upload as owner B gets 404, not A's bytes",
      requires,
    },
    async (ctx) => {
      const tokens = tokensOf(ctx)
      const { url, data } = await finishedUploadOfA(ctx)
      const headers = { ...asB(tokens), 'Tus-Resumable': undefined }
      const missing = await ctx.send('GET', `${url}0nosuch`, { headers })
      const res = await ctx.send('GET', url, { headers })
      expectLikeMissing(ctx, res, missing, "GET of A's upload")
      ctx.expect(!res.body.equals(data), "GET as owner B returned A's bytes", res)
    },
  ),
  check(
    'other-owner.delete-404',
    {
      section: OWNER_SECTION,
      level: 'MUST',
      rule: "DELETE of A's upload as owner B gets 404 and A's upload stays",
      requires: ['creation', 'termination'],
    },
    async (ctx) => {
      const tokens = tokensOf(ctx)
      const { url, before } = await uploadOfA(ctx)
      const missing = await ctx.send('DELETE', `${url}0nosuch`, { headers: asB(tokens) })
      const res = await ctx.send('DELETE', url, { headers: asB(tokens) })
      expectLikeMissing(ctx, res, missing, "DELETE of A's upload")
      await expectUnchanged(ctx, url, before, 'after a DELETE as owner B')
    },
  ),
  check(
    'other-owner.concat-404',
    {
      section: OWNER_SECTION,
      level: 'MUST',
      rule: "a final upload by owner B naming A's partial upload is refused as if the partial did not exist",
      requires: ['creation', 'concatenation'],
    },
    async (ctx) => {
      const tokens = tokensOf(ctx)
      const data = pattern(5, 47)
      const { url: partial } = await ctx.create({ length: data.length, concat: 'partial' })
      await ctx.append(partial, 0, data)
      const before = await stateOf(ctx, partial)
      const finalOf = (target: string) =>
        ctx.send('POST', ctx.url, { headers: { ...asB(tokens), 'Upload-Concat': `final;${target}` } })
      const missing = await finalOf(`${partial}0nosuch`)
      const res = await finalOf(partial)
      if (res.status === 201) {
        ctx.fail("owner B made a final upload out of A's partial upload (201)", res)
      }
      expectLikeMissing(ctx, res, missing, "a final upload naming A's partial")
      await expectUnchanged(ctx, partial, before, 'after a concatenation as owner B')
    },
  ),
]
