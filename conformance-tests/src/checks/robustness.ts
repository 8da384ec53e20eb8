import { setTimeout as sleep } from 'node:timers/promises'
import { b64, CheckFailure, type Context, firstDifference, pattern } from '../context.js'
import { NetworkError } from '../http.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('robustness')
const requires = ['creation']
const OFFSET = 'Core Protocol > Headers > Upload-Offset'
const LENGTH = 'Core Protocol > Headers > Upload-Length'
const METADATA = 'Creation > Headers > Upload-Metadata'
const PATCH = 'Core Protocol > Requests > PATCH'

const BAD_NUMBERS = [
  { kind: 'negative', value: '-1' },
  { kind: 'non-numeric', value: '12abc' },
  { kind: 'fractional', value: '1.5' },
  { kind: 'huge', value: '99999999999999999999999' },
] as const

const badLengthChecks = BAD_NUMBERS.map(({ kind, value }) =>
  check(
    `upload-length.${kind}`,
    {
      section: LENGTH,
      level: 'MUST',
      rule: `a ${kind} Upload-Length (${value}) is refused with a 4xx`,
      requires,
    },
    async (ctx) => {
      const res = await ctx.send('POST', ctx.url, { headers: { 'Upload-Length': value } })
      ctx.expectClientError(res, `POST with Upload-Length: ${value}`)
    },
  ),
)

const badOffsetChecks = BAD_NUMBERS.map(({ kind, value }) =>
  check(
    `upload-offset.${kind}`,
    {
      section: OFFSET,
      level: 'MUST',
      rule: `a PATCH with a ${kind} Upload-Offset (${value}) is refused with a 4xx and stores nothing`,
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.patch(url, value, pattern(4))
      ctx.expectClientError(res, `PATCH with Upload-Offset: ${value}`)
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `after the refused PATCH the offset is ${offset}`)
    },
  ),
)

const MALFORMED_METADATA = [
  { kind: 'non-base64', value: 'filename not*base64!' },
  { kind: 'empty-key', value: `,filename ${b64('x')}` },
  { kind: 'duplicate-key', value: `name ${b64('a')},name ${b64('b')}` },
  { kind: 'extra-space', value: `name ${b64('a')} ${b64('b')}` },
] as const

const metadataChecks = MALFORMED_METADATA.map(({ kind, value }) =>
  check(
    `metadata.${kind}`,
    {
      section: METADATA,
      level: 'SHOULD',
      rule: `Upload-Metadata with a ${kind.replace('-', ' ')} is refused with a 4xx (servers SHOULD validate metadata)`,
      requires,
    },
    async (ctx) => {
      const res = await ctx.send('POST', ctx.url, {
        headers: { 'Upload-Length': '1', 'Upload-Metadata': value },
      })
      ctx.expectClientError(res, `POST with Upload-Metadata: ${value}`)
    },
  ),
)

/** The upload URL with its last segment replaced: `…/files/<id>` -> `…/files/<segment>`. */
function sibling(url: string, segment: string): string {
  const u = new URL(url)
  const cut = u.pathname.lastIndexOf('/')
  return `${u.origin}${u.pathname.slice(0, cut + 1)}${segment}`
}
const lastSegment = (url: string) => new URL(url).pathname.split('/').pop() ?? ''

/** Every method a traversal id must be refused for, with the extension that makes it meaningful. */
async function refusedEverywhere(ctx: Context, hostile: string, original?: string) {
  for (const res of [await ctx.head(hostile), await ctx.patch(hostile, 0, pattern(2))]) {
    ctx.expectClientError(res, `${res.exchange.request.split(' ')[0]} of a hostile upload URL`)
  }
  if (ctx.announces('termination'))
    ctx.expectClientError(await ctx.send('DELETE', hostile), 'DELETE of a hostile upload URL')
  if (original) {
    const offset = await ctx.offsetOf(original)
    ctx.expect(offset === 0, `the real upload behind the hostile URL changed (offset ${offset})`)
  }
}

export const robustnessChecks: Check[] = [
  ...badLengthChecks,
  ...badOffsetChecks,
  check(
    'post.no-length',
    {
      section: 'Creation > Requests > POST',
      level: 'MUST',
      rule: 'a POST with neither Upload-Length nor Upload-Defer-Length is refused with a 4xx',
      requires,
    },
    async (ctx) => ctx.expectClientError(await ctx.send('POST', ctx.url), 'POST without Upload-Length'),
  ),
  check(
    'patch.no-offset',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'a PATCH without Upload-Offset is refused with a 4xx and stores nothing',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.patch(url, 0, pattern(4), { headers: { 'Upload-Offset': undefined } })
      ctx.expectClientError(res, 'PATCH without Upload-Offset')
      ctx.expect((await ctx.offsetOf(url)) === 0, 'the refused PATCH moved the offset')
    },
  ),
  check(
    'patch.beyond-length',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'a PATCH that would go past Upload-Length is refused with a 4xx; the offset never exceeds the length',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.patch(url, 0, pattern(9))
      ctx.expectClientError(res, 'PATCH of 9 bytes into a 4-byte upload')
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset <= 4, `the 4-byte upload now reports offset ${offset}`)
    },
  ),
  ...metadataChecks,
  check(
    'id.traversal-to-upload',
    {
      section: 'Core Protocol (upload URLs)',
      level: 'MUST',
      rule: 'an id with an encoded "../" (x%2f..%2f<id>) never reaches another upload: 4xx for HEAD/PATCH/DELETE',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      await refusedEverywhere(ctx, sibling(url, `x%2f..%2f${lastSegment(url)}`), url)
      await refusedEverywhere(ctx, sibling(url, `x%2F%2E%2E%2F${lastSegment(url)}`), url)
    },
  ),
  check(
    'id.traversal-outside',
    {
      section: 'Core Protocol (upload URLs)',
      level: 'MUST',
      rule: 'ids that climb out of the store (%2e%2e%2f…etc%2fpasswd) get a 4xx, never 2xx or 5xx',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(1)
      await refusedEverywhere(ctx, sibling(url, '%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd'))
      await refusedEverywhere(ctx, sibling(url, '..%2f..%2f..%2f..%2f..%2f..%2ftmp'))
    },
  ),
  check(
    'id.nul-byte',
    {
      section: 'Core Protocol (upload URLs)',
      level: 'MUST',
      rule: 'an id with an encoded NUL (%00) gets a 4xx, never 2xx or 5xx',
      requires,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      await refusedEverywhere(ctx, `${url}%00`, url)
      await refusedEverywhere(ctx, `${url}%00.json`, url)
    },
  ),
  check(
    'concat.traversal',
    {
      section: 'Concatenation',
      level: 'MUST',
      rule: 'Upload-Concat: final with a traversal partial URL gets a 4xx',
      requires: ['creation', 'concatenation'],
    },
    async (ctx) => {
      const { url } = await ctx.create({ length: 1, concat: 'partial' })
      const hostile = sibling(url, '..%2f..%2f..%2f..%2fetc%2fpasswd')
      const res = await ctx.send('POST', ctx.url, {
        headers: { 'Upload-Concat': `final;${new URL(hostile).pathname}` },
      })
      ctx.expectClientError(res, 'POST with Upload-Concat naming a traversal URL')
    },
  ),
  check(
    'concurrent-patches',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'concurrent PATCHes at one offset: at most one wins and the bytes match exactly one history',
      requires,
    },
    async (ctx) => {
      const size = 128 * 1024
      const bodies = [1, 2, 3, 4].map((seed) => pattern(size, 40 + seed))
      const { url } = await ctx.create(2 * size)
      // A server may refuse a losing PATCH by answering 409 and closing the connection before the
      // body is sent: the client then sees EPIPE/ECONNRESET instead of (or before) the answer. That
      // is a refusal (null here), not a failure; the bytes below show whether anything leaked in.
      const answers = await Promise.all(
        bodies.map((body) =>
          ctx.patch(url, 0, body, { pauseMidBodyMs: 100 }).catch((error: unknown) => {
            if (closedByServer(error)) return null
            throw error
          }),
        ),
      )
      const winners = answers.flatMap((res, i) => (res?.status === 204 ? [i] : []))
      ctx.expect(
        winners.length <= 1,
        `${winners.length} PATCHes at offset 0 all got 204`,
        answers[winners[1] ?? 0] ?? undefined,
      )
      for (const res of answers) {
        if (res) ctx.expect(res.status < 500, `a concurrent PATCH got ${res.status}`, res)
      }
      const closed = answers.filter((res) => res === null).length
      if (closed > 0) ctx.note(`${closed} losing PATCH(es) refused by closing the connection`)
      const offset = await settledOffset(ctx, url)
      ctx.expect(
        offset <= size,
        `after concurrent PATCHes of ${size} bytes at offset 0, the offset is ${offset}`,
      )
      const winner = winners[0]
      if (winner !== undefined) {
        ctx.expect(offset === size, `one PATCH of ${size} bytes won, yet the offset is ${offset}`)
      }
      // Finish the upload after whatever was stored and see whose bytes are there.
      const tail = pattern(2 * size - offset, 60)
      await ctx.append(url, offset, tail)
      const got = await ctx.download(url)
      if (!got) return ctx.note('bytes verified by offsets only (the server serves no GET download)')
      const head = got.subarray(0, offset)
      const from = bodies.findIndex((body) => body.subarray(0, offset).equals(head))
      ctx.expect(
        from >= 0,
        `the first ${offset} stored bytes are not a prefix of any one PATCH body (mixed writes)`,
      )
      ctx.expect(
        winner === undefined || from === winner,
        `the stored bytes are PATCH #${from}'s but PATCH #${winner} got the 204`,
      )
      ctx.expect(
        got.subarray(offset).equals(tail),
        `the bytes after offset ${offset} differ from the final PATCH (at ${firstDifference(got.subarray(offset), tail)})`,
      )
    },
  ),
  check(
    'disconnect.offset-honest',
    {
      section: PATCH,
      level: 'MUST',
      rule: 'after a client disconnects mid-PATCH, HEAD reports no more than the bytes received and the resumed upload is byte-exact',
      requires,
    },
    async (ctx) => {
      const data = pattern(512 * 1024, 70)
      const sent = 160 * 1024
      const { url } = await ctx.create(data.length)
      await ctx.patch(url, 0, data, { abortAfter: sent })
      const offset = await settledOffset(ctx, url)
      ctx.expect(offset <= sent, `HEAD reports offset ${offset} after the client sent only ${sent} bytes`)
      await resume(ctx, url, offset, data)
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'disconnect.keeps-received',
    {
      section: PATCH,
      level: 'SHOULD',
      rule: 'the server stores as much of an interrupted PATCH as it received',
      requires,
    },
    async (ctx) => {
      const data = pattern(512 * 1024, 71)
      const sent = 160 * 1024
      const { url } = await ctx.create(data.length)
      await ctx.patch(url, 0, data, { abortAfter: sent })
      const offset = await settledOffset(ctx, url)
      ctx.expect(offset > 0, `nothing of the ${sent} bytes sent before the disconnect was kept`)
    },
  ),
]

/** HEAD until the offset stops moving (the server may still be draining a cut request). */
/** The server closed the connection on a request (refusing it) rather than the request timing out. */
export function closedByServer(error: unknown): boolean {
  const cause = error instanceof CheckFailure ? error.cause : error
  return cause instanceof NetworkError && (cause.code === 'EPIPE' || cause.code === 'ECONNRESET')
}

async function settledOffset(ctx: Context, url: string): Promise<number> {
  let last = await ctx.offsetOf(url)
  for (let i = 0; i < 20; i++) {
    await sleep(100)
    const now = await ctx.offsetOf(url)
    if (now === last) return now
    last = now
  }
  return last
}

/** PATCH the rest from `offset`, retrying briefly while the server still holds the cut request's lock. */
async function resume(ctx: Context, url: string, offset: number, data: Buffer): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await ctx.patch(url, offset, data.subarray(offset))
    if (res.status === 204) {
      ctx.expect(
        res.headers['upload-offset'] === String(data.length),
        `the resuming PATCH answered Upload-Offset ${res.headers['upload-offset']}`,
        res,
      )
      return
    }
    if (attempt >= 10 || ![409, 423].includes(res.status))
      ctx.fail(`the resuming PATCH at offset ${offset} got ${res.status}`, res)
    await sleep(200)
    offset = await ctx.offsetOf(url)
  }
}
