import type { Context } from '../context.js'
import { pattern } from '../context.js'
import type { HttpResponse } from '../http.js'
import { sha256Field, wrongSha256Field } from '../ietf/digest.js'
import {
  create,
  offsetOf,
  retrieve,
  sendAppend,
  sendCreation,
  verifyBytes,
  versionOf,
} from '../ietf/draft.js'
import { booleanField } from '../ietf/fields.js'
import type { Check } from '../types.js'
import { group } from './define.js'
import { DRAFT } from './ietf-upload.js'

// The draft's Integrity Digests section: RFC 9530 Content-Digest on one request and Repr-Digest on
// creation for the whole upload. The draft says a server "can" verify them and gives no way to
// announce that it does (RFC 9530 lets a recipient ignore both fields), so support is learnt from
// behaviour: a server that takes a wrong digest without complaint does not verify it, and the check
// is not applicable to it. A server that refuses a wrong digest verifies, and is held to the rest of
// the rule: nothing of the refused content counts, and a correct digest is taken.

const check = group('ietf')
const DIGESTS = `${DRAFT} > Integrity Digests`

const success = (res: HttpResponse) => res.status >= 200 && res.status <= 299

/**
 * The draft's ways of signalling a failed upload at completion: a 4xx, or (as the result of
 * processing a representation that did arrive whole) a 5xx that says Upload-Complete: ?1.
 */
const signalsFailure = (res: HttpResponse) =>
  (res.status >= 400 && res.status <= 499) ||
  (res.status >= 500 && booleanField(res, 'upload-complete') === true)

/** An upload refused at completion is not complete, and a plain GET does not serve its bytes. */
async function expectNotCompleted(ctx: Context, url: string, what: string): Promise<void> {
  const state = await retrieve(ctx, url)
  ctx.expect(
    !(success(state.res) && state.complete === true),
    `${what}: HEAD still says Upload-Complete ?1 (the upload was completed despite the wrong Repr-Digest)`,
    state.res,
  )
  // A plain GET, as ctx.download sends it, but without teaching the run that downloads fail.
  const got = await ctx.send('GET', url, { headers: { 'Tus-Resumable': undefined } })
  ctx.expect(got.status !== 200, `${what}: a plain GET serves the upload (200)`, got)
}

export const ietfDigestChecks: Check[] = [
  check(
    'digest.content-verified',
    {
      section: `${DIGESTS} > Content Digests`,
      level: 'SHOULD',
      rule: 'an append whose Content-Digest (sha-256) does not match its content is refused with a 4xx and nothing of it is appended (the offset stays); one whose digest matches is taken and counts. Not applicable to a server that takes the wrong one (it does not verify Content-Digest)',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(24, 81)
      const part = data.subarray(8, 16)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 8) })
      const wrong = await sendAppend(ctx, url, 8, part, false, { 'Content-Digest': wrongSha256Field(part) })
      if (success(wrong)) {
        ctx.notApplicable(
          `not applicable: an append whose Content-Digest does not match its content got ${wrong.status}: the server does not verify Content-Digest (RFC 9530 lets it ignore the field; the draft gives no way to announce digest support)`,
        )
      }
      ctx.expectClientError(wrong, 'append of 8 bytes with a wrong Content-Digest (sha-256)')
      const after = await offsetOf(ctx, url)
      ctx.expect(
        after === 8,
        `after the refused append HEAD says offset ${after}, expected 8 (nothing appended)`,
      )
      const right = await sendAppend(ctx, url, 8, part, false, { 'Content-Digest': sha256Field(part) })
      ctx.expect(
        success(right),
        `the same 8 bytes with their own Content-Digest: expected a 2xx, got ${right.status}`,
        right,
      )
      const counted = await offsetOf(ctx, url)
      ctx.expect(
        counted === 16,
        `after the append with a matching Content-Digest HEAD says offset ${counted}, expected 16`,
      )
      const rest = data.subarray(16)
      const last = await sendAppend(ctx, url, 16, rest, true, { 'Content-Digest': sha256Field(rest) })
      ctx.expect(success(last), `completing append with a matching Content-Digest: got ${last.status}`, last)
      await verifyBytes(ctx, url, data, 'upload appended with Content-Digest')
    },
  ),
  check(
    'digest.repr-verified',
    {
      section: `${DIGESTS} > Representation Digests`,
      level: 'SHOULD',
      rule: 'a Repr-Digest (sha-256) sent on creation is checked when the upload completes: a matching one completes as usual; a wrong one makes the completing request (a ?1 append, or a ?1 creation with all the content) signal failure (a 4xx, or a 5xx with Upload-Complete: ?1) and the upload is not complete and not served. Not applicable to a server that completes both wrong ones (it does not verify Repr-Digest)',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(20, 82)
      const good = await create(ctx, {
        complete: false,
        length: data.length,
        body: data.subarray(0, 8),
        headers: { 'Repr-Digest': sha256Field(data) },
      })
      const completed = await sendAppend(ctx, good.url, 8, data.subarray(8), true)
      ctx.expect(
        success(completed),
        `completing an upload whose Repr-Digest matches: expected a 2xx, got ${completed.status}`,
        completed,
      )
      await verifyBytes(ctx, good.url, data, 'upload whose Repr-Digest matched')

      const wrong = wrongSha256Field(data)
      const bad = await create(ctx, {
        complete: false,
        length: data.length,
        body: data.subarray(0, 8),
        headers: { 'Repr-Digest': wrong },
      })
      const byAppend = await sendAppend(ctx, bad.url, 8, data.subarray(8), true)
      const whole = await sendCreation(ctx, { complete: true, body: data, headers: { 'Repr-Digest': wrong } })
      const named =
        whole.headers.location ?? whole.informational.find((i) => i.headers.location)?.headers.location
      const wholeUrl = named === undefined ? undefined : ctx.resolve(named)
      if (wholeUrl) ctx.createdByDraft(wholeUrl)
      if (success(byAppend) && success(whole)) {
        ctx.notApplicable(
          `not applicable: uploads with a wrong Repr-Digest completed (append ${byAppend.status}, creation ${whole.status}): the server does not verify Repr-Digest (RFC 9530 lets it ignore the field; the draft gives no way to announce digest support)`,
        )
      }
      ctx.expect(
        signalsFailure(byAppend),
        `the append completing an upload created with a wrong Repr-Digest got ${byAppend.status}, expected a 4xx (or a 5xx with Upload-Complete: ?1)`,
        byAppend,
      )
      ctx.expect(
        signalsFailure(whole),
        `a ?1 creation with all the content and a wrong Repr-Digest got ${whole.status}, expected a 4xx (or a 5xx with Upload-Complete: ?1)`,
        whole,
      )
      await expectNotCompleted(ctx, bad.url, 'upload completed by an append with a wrong Repr-Digest')
      if (wholeUrl) await expectNotCompleted(ctx, wholeUrl, 'upload created ?1 with a wrong Repr-Digest')
    },
  ),
]
