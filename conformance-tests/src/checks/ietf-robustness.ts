import { setTimeout as sleep } from 'node:timers/promises'
import { type Context, firstDifference, pattern } from '../context.js'
import type { HttpResponse } from '../http.js'
import { create, draftSend, PARTIAL_UPLOAD, sendAppend, sendCreation, versionOf } from '../ietf/draft.js'
import { integerField, limitField } from '../ietf/fields.js'
import type { Check } from '../types.js'
import { group } from './define.js'
import { DRAFT, settledOffset } from './ietf-upload.js'
import { closedByServer } from './robustness.js'

// Rules of the draft a careless server breaks under load or abuse: the max-size it advertises in
// Upload-Limit, the 413 that limit earns, and appends that race for one offset (the draft's
// Concurrency section; the tus robustness group's concurrent-patches, in the draft's terms).

const check = group('ietf')
const LIMITS = `${DRAFT} > Upload Resource > State > Limits`

/** A creation declaring one byte more than the max-size OPTIONS advertises (not applicable without one). */
async function oversizedCreation(ctx: Context): Promise<{ max: number; res: HttpResponse }> {
  const options = await draftSend(ctx, 'OPTIONS', ctx.url)
  const max = limitField(options)?.get('max-size')
  if (max === undefined) {
    ctx.notApplicable(
      `not applicable: OPTIONS advertises no max-size (Upload-Limit: ${options.headers['upload-limit'] ?? 'none'})`,
    )
  }
  const res = await sendCreation(ctx, { complete: false, length: max + 1 })
  if (res.headers.location) ctx.createdByDraft(ctx.resolve(res.headers.location))
  return { max, res }
}

const success = (res: HttpResponse) => res.status >= 200 && res.status <= 299

export const ietfRobustnessChecks: Check[] = [
  check(
    'limit.max-size-refused',
    {
      section: LIMITS,
      level: 'SHOULD',
      rule: 'a creation whose Upload-Length is above the max-size advertised in Upload-Limit is refused with a 4xx and creates no upload. Not applicable when no max-size is advertised',
    },
    async (ctx) => {
      versionOf(ctx)
      const { max, res } = await oversizedCreation(ctx)
      ctx.expectClientError(res, `creation with Upload-Length ${max + 1} above max-size ${max}`)
      ctx.expect(
        res.headers.location === undefined,
        `the refused creation above max-size still names an upload (Location ${res.headers.location})`,
        res,
      )
    },
  ),
  check(
    'limit.413-upload-limit',
    {
      section: LIMITS,
      level: 'MUST',
      rule: 'a 413 (Content Too Large) given because of the upload limits carries Upload-Limit (here: a creation above max-size). Not applicable when no max-size is advertised or the refusal is not a 413',
    },
    async (ctx) => {
      versionOf(ctx)
      const { max, res } = await oversizedCreation(ctx)
      if (res.status !== 413) {
        ctx.notApplicable(
          `not applicable: a creation with Upload-Length ${max + 1} above max-size ${max} got ${res.status}, not 413`,
        )
      }
      const limit = limitField(res)
      ctx.expect(
        limit !== undefined,
        `the 413 for a creation above max-size carries Upload-Limit ${res.headers['upload-limit'] ?? '(none)'}, expected a Dictionary of Integers`,
        res,
      )
      ctx.expect(
        limit?.get('max-size') === max,
        `the 413's Upload-Limit says max-size ${limit?.get('max-size') ?? '(none)'}, OPTIONS said ${max}`,
        res,
      )
    },
  ),
  check(
    'append.concurrent-one-history',
    {
      section: `${DRAFT} > Concurrency`,
      level: 'MUST',
      rule: 'appends racing at one offset keep one history: at most one gets a 2xx, none a 5xx, and the stored bytes are a prefix of one append’s content (the 2xx one’s, all of it), never a mix',
    },
    async (ctx) => {
      versionOf(ctx)
      const size = 128 * 1024
      const bodies = [1, 2, 3, 4].map((seed) => pattern(size, 90 + seed))
      const { url } = await create(ctx, { complete: false, length: 2 * size })
      // The draft recommends ending the request in flight when a new one comes, so a losing append
      // may be cut (no answer: null) rather than refused; the stored bytes show what came of it.
      const answers = await Promise.all(
        bodies.map((body) =>
          draftSend(ctx, 'PATCH', url, {
            headers: { 'Content-Type': PARTIAL_UPLOAD, 'Upload-Offset': '0', 'Upload-Complete': '?0' },
            body,
            pauseMidBodyMs: 100,
          }).catch((error: unknown) => {
            if (closedByServer(error)) return null
            throw error
          }),
        ),
      )
      const winners = answers.flatMap((res, i) => (res && success(res) ? [i] : []))
      ctx.expect(
        winners.length <= 1,
        `${winners.length} appends at offset 0 all got a 2xx`,
        answers[winners[1] ?? 0] ?? undefined,
      )
      for (const res of answers) {
        if (res) ctx.expect(res.status < 500, `a concurrent append got ${res.status}`, res)
      }
      const offset = await settledOffset(ctx, url)
      ctx.note(
        `racing appends answered ${answers.map((res) => res?.status ?? 'closed').join(', ')}; offset ${offset} after the race`,
      )
      ctx.expect(offset <= size, `after racing appends of ${size} bytes at offset 0, the offset is ${offset}`)
      const winner = winners[0]
      if (winner !== undefined) {
        const answered = integerField(answers[winner] as HttpResponse, 'upload-offset')
        ctx.expect(
          offset === size,
          `append #${winner} got a 2xx (Upload-Offset ${answered ?? 'none'}), yet the offset is ${offset}`,
        )
      }
      // Complete the upload after whatever was stored (retrying while a cut append still holds it).
      const tail = pattern(2 * size - offset, 99)
      for (let attempt = 0; ; attempt++) {
        const res = await sendAppend(ctx, url, offset, tail, true)
        if (success(res)) break
        if (attempt >= 10 || ![409, 423].includes(res.status))
          ctx.fail(`completing at offset ${offset} after the race: expected a 2xx, got ${res.status}`, res)
        await sleep(200)
      }
      const got = await ctx.download(url)
      if (!got) return ctx.note('bytes verified by offsets only (the server serves no GET download)')
      const head = got.subarray(0, offset)
      const from = bodies.findIndex((body) => body.subarray(0, offset).equals(head))
      ctx.expect(
        from >= 0,
        `the first ${offset} stored bytes are not a prefix of any one append's content (mixed writes)`,
      )
      ctx.expect(
        winner === undefined || from === winner,
        `the stored bytes are append #${from}'s but append #${winner} got the 2xx`,
      )
      ctx.expect(
        got.length === 2 * size && got.subarray(offset).equals(tail),
        `the ${got.length} bytes after the race differ from what was stored and the completing append (at ${firstDifference(got.subarray(offset), tail)})`,
      )
    },
  ),
]
