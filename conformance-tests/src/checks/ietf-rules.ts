import { type Context, pattern } from '../context.js'
import type { HttpResponse } from '../http.js'
import {
  create,
  draftSend,
  INTEROP_HEADER,
  offsetOf,
  PARTIAL_UPLOAD,
  retrieve,
  sendAppend,
  sendCreation,
  verifyBytes,
  versionOf,
} from '../ietf/draft.js'
import { booleanField, integerField, limitField, PROBLEM_TYPE, problemOf } from '../ietf/fields.js'
import type { Check, IetfVersion } from '../types.js'
import { group } from './define.js'
import { DRAFT } from './ietf-upload.js'

// Rules of the IETF draft about errors, limits, fields and versions: problem details, length
// consistency, completed uploads (the one rule that differs most between interop versions),
// Upload-Limit, invalid structured fields, unknown versions and the 104 interim answer.

const check = group('ietf')
const APPEND = `${DRAFT} > Upload Append > Server Behavior`
const LENGTH = `${DRAFT} > Upload Resource > State > Length`
const LIMITS = `${DRAFT} > Upload Resource > State > Limits`

/** A PATCH at a wrong offset (2, the upload being at 4); the upload's URL and the 409 answer. */
async function mismatchedAppend(ctx: Context): Promise<{ url: string; res: HttpResponse }> {
  const data = pattern(12, 71)
  const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 4) })
  const res = await sendAppend(ctx, url, 2, data.subarray(2, 8), false)
  return { url, res }
}

/** A creation whose Upload-Length (10) disagrees with its ?1 content (6 bytes). */
function inconsistentCreation(ctx: Context): Promise<HttpResponse> {
  return sendCreation(ctx, { complete: true, length: 10, body: pattern(6, 72) })
}

function expectProblemType(ctx: Context, res: HttpResponse, type: string, what: string) {
  const problem = problemOf(res)
  ctx.expect(
    problem !== undefined,
    `${what}: no problem details (Content-Type ${res.headers['content-type'] ?? 'none'}, expected application/problem+json with a JSON object)`,
    res,
  )
  ctx.expect(
    problem?.type === type,
    `${what}: problem type ${JSON.stringify(problem?.type)}, expected "${type}"`,
    res,
  )
  return problem as Record<string, unknown>
}

/** How each interop version answers an append to a completed upload. */
const COMPLETED_RULE: Record<IetfVersion, string> = {
  9: 'a replay of the final answer (a 2xx with Upload-Complete: ?1) or a 4xx',
  8: '410 Gone (problem type completed-upload)',
  6: 'a 4xx rejection',
}

export const ietfRuleChecks: Check[] = [
  check(
    'append.offset-mismatch-409',
    {
      section: APPEND,
      level: 'MUST',
      rule: 'an append whose Upload-Offset is not the upload’s offset is refused with 409 carrying the right Upload-Offset, and nothing is appended',
    },
    async (ctx) => {
      versionOf(ctx)
      const { url, res } = await mismatchedAppend(ctx)
      ctx.expectStatus(res, 409, 'append at offset 2 of an upload at 4')
      ctx.expect(
        integerField(res, 'upload-offset') === 4,
        `the 409 carries Upload-Offset ${res.headers['upload-offset'] ?? '(none)'}, expected the upload’s 4`,
        res,
      )
      ctx.expect((await offsetOf(ctx, url)) === 4, 'after the refused append, HEAD no longer says 4')
    },
  ),
  check(
    'append.offset-mismatch-problem',
    {
      section: `${DRAFT} > Problem Types > Mismatching Offset`,
      level: 'SHOULD',
      rule: 'the answer to a mismatching offset is problem details of type mismatching-upload-offset with expected-offset and provided-offset',
    },
    async (ctx) => {
      versionOf(ctx)
      const { res } = await mismatchedAppend(ctx)
      const problem = expectProblemType(ctx, res, PROBLEM_TYPE.mismatchingOffset, 'append at a wrong offset')
      ctx.expect(
        problem['expected-offset'] === 4 && problem['provided-offset'] === 2,
        `expected-offset ${JSON.stringify(problem['expected-offset'])} and provided-offset ${JSON.stringify(problem['provided-offset'])}, expected 4 and 2`,
        res,
      )
    },
  ),
  check(
    'length.inconsistent-400',
    {
      section: LENGTH,
      level: 'MUST',
      rule: 'lengths that disagree (Upload-Length against the ?1 content, or against an earlier request) are refused with 400, creating or appending nothing',
    },
    async (ctx) => {
      versionOf(ctx)
      const created = await inconsistentCreation(ctx)
      ctx.expectStatus(created, 400, 'creation with Upload-Length 10 and 6 bytes of ?1 content')
      ctx.expect(
        created.headers.location === undefined,
        'the refused creation still names an upload (Location)',
        created,
      )
      const data = pattern(10, 73)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 4) })
      const res = await sendAppend(ctx, url, 4, data.subarray(4, 7), true)
      ctx.expectStatus(res, 400, 'append ?1 ending at 7 of an upload declared 10 long')
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.offset === 4 && state.complete === false,
        `after the refused append, HEAD says Upload-Offset ${state.res.headers['upload-offset'] ?? '(none)'}, Upload-Complete ${state.res.headers['upload-complete'] ?? '(none)'}; expected 4 and ?0`,
        state.res,
      )
    },
  ),
  check(
    'length.inconsistent-problem',
    {
      section: `${DRAFT} > Problem Types > Inconsistent Length`,
      level: 'SHOULD',
      rule: 'the answer to inconsistent lengths is problem details of type inconsistent-upload-length',
    },
    async (ctx) => {
      versionOf(ctx)
      const res = await inconsistentCreation(ctx)
      expectProblemType(ctx, res, PROBLEM_TYPE.inconsistentLength, 'creation with inconsistent lengths')
    },
  ),
  check(
    'length.beyond-refused',
    {
      section: APPEND,
      level: 'MUST',
      rule: 'an append that would take the offset past the known length is refused; the offset never exceeds the length',
    },
    async (ctx) => {
      versionOf(ctx)
      const { url } = await create(ctx, { complete: false, length: 8, body: pattern(4, 74) })
      const res = await sendAppend(ctx, url, 4, pattern(8, 75), false)
      ctx.expect(
        res.status < 200 || res.status > 299,
        `8 bytes at offset 4 of an upload 8 long: got ${res.status}, expected a refusal`,
        res,
      )
      // The draft lets the server deactivate the upload then; if it still answers, the offset is within the length.
      const state = await retrieve(ctx, url)
      if (state.res.status >= 200 && state.res.status <= 299) {
        ctx.expect(
          state.offset !== undefined && state.offset <= 8,
          `after the refused append, HEAD says Upload-Offset ${state.res.headers['upload-offset'] ?? '(none)'}, beyond the length 8`,
          state.res,
        )
      }
    },
  ),
  check(
    'completed.version-rule',
    {
      section: APPEND,
      level: 'MUST',
      rule: 'an append to a completed upload leaves it unchanged and is answered as the interop version says: 9 a replay of the final answer or a 4xx, 8 410 Gone, 6 a 4xx',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      const data = pattern(6, 76)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 3) })
      const last = await sendAppend(ctx, url, 3, data.subarray(3), true)
      ctx.expect(
        last.status >= 200 && last.status <= 299,
        `completing append: expected a 2xx, got ${last.status}`,
        last,
      )
      const res = await sendAppend(ctx, url, 6, pattern(2, 77), true)
      const what = `append to a completed upload in interop ${version} (expected ${COMPLETED_RULE[version]})`
      const success = res.status >= 200 && res.status <= 299
      if (version === 9) {
        ctx.expect(
          (success && booleanField(res, 'upload-complete') === true) ||
            (res.status >= 400 && res.status <= 499),
          `${what}: got ${res.status} with Upload-Complete ${res.headers['upload-complete'] ?? '(none)'}`,
          res,
        )
      } else if (version === 8) {
        ctx.expectStatus(res, 410, what)
      } else {
        ctx.expectClientError(res, what)
      }
      await verifyBytes(ctx, url, data, 'the completed upload after a further append')
    },
  ),
  check(
    'options.upload-limit',
    {
      section: LIMITS,
      level: 'MUST',
      rule: 'OPTIONS with the interop version answers Upload-Limit as a Dictionary of Integers (interop 8 also Accept-Patch: application/partial-upload)',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      const res = await draftSend(ctx, 'OPTIONS', ctx.url)
      ctx.expect(res.status >= 200 && res.status <= 299, `OPTIONS: expected a 2xx, got ${res.status}`, res)
      const limit = limitField(res)
      ctx.expect(
        limit !== undefined,
        `OPTIONS: Upload-Limit ${res.headers['upload-limit'] ?? '(none)'} is not a Dictionary of Integers`,
        res,
      )
      if (version === 8) {
        const types = (res.headers['accept-patch'] ?? '')
          .split(',')
          .map((t) => t.split(';', 1)[0]?.trim().toLowerCase())
        ctx.expect(
          types.includes(PARTIAL_UPLOAD),
          `OPTIONS in interop 8: Accept-Patch ${res.headers['accept-patch'] ?? '(none)'} lacks ${PARTIAL_UPLOAD}`,
          res,
        )
      }
      ctx.note(`Upload-Limit: ${res.headers['upload-limit']}`)
    },
  ),
  check(
    'limit.lifetime-key',
    {
      section: LIMITS,
      level: 'MUST',
      rule: 'Upload-Limit states the remaining lifetime as max-age (interop 8, 9) or expires (interop 6), never the other version’s key',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      const [right, wrong] = version === 6 ? ['expires', 'max-age'] : ['max-age', 'expires']
      const { url, res: created } = await create(ctx, { complete: false, length: 10 })
      const answers = [await draftSend(ctx, 'OPTIONS', ctx.url), created, (await retrieve(ctx, url)).res]
      let stated = false
      for (const res of answers) {
        const limit = limitField(res)
        ctx.expect(
          !limit?.has(wrong),
          `interop ${version}: Upload-Limit "${res.headers['upload-limit']}" uses ${wrong}, expected ${right}`,
          res,
        )
        stated ||= limit?.has(right) ?? false
      }
      if (!stated) ctx.note('the server states no lifetime in Upload-Limit')
    },
  ),
  check(
    'fields.invalid-ignored',
    {
      section: `${DRAFT} > Upload Resource > State`,
      level: 'MUST',
      rule: 'a field whose value is not a structured value of its type is ignored whole: Upload-Length: 12abc records no length, an append with Upload-Offset: 0abc appends nothing',
    },
    async (ctx) => {
      versionOf(ctx)
      const { url } = await create(ctx, { complete: false, length: '12abc' })
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.res.headers['upload-length'] === undefined,
        `creation with Upload-Length: 12abc recorded a length (HEAD says Upload-Length ${state.res.headers['upload-length']})`,
        state.res,
      )
      const res = await sendAppend(ctx, url, '0abc', pattern(4, 78), false)
      ctx.expect(
        res.status < 200 || res.status > 299,
        `append with Upload-Offset: 0abc (no valid offset): got ${res.status}, expected a refusal`,
        res,
      )
      ctx.expect((await offsetOf(ctx, url)) === 0, 'the append with Upload-Offset: 0abc moved the offset')
    },
  ),
  check(
    'version.unknown-not-draft',
    {
      section: `${DRAFT} > Interop Version`,
      level: 'MUST',
      rule: 'a request with a missing or unknown Upload-Draft-Interop-Version is not treated as the draft: no 104, no Upload-Complete or Upload-Limit, never a 5xx',
    },
    async (ctx) => {
      versionOf(ctx)
      const { url } = await create(ctx, { complete: false, length: 10 })
      const requests: [string, string, Record<string, string | undefined>][] = [
        ['POST', ctx.url, { [INTEROP_HEADER]: '1000', 'Upload-Complete': '?0' }],
        ['POST', ctx.url, { [INTEROP_HEADER]: undefined, 'Upload-Complete': '?0' }],
        ['OPTIONS', ctx.url, { [INTEROP_HEADER]: '1000' }],
        ['HEAD', url, { [INTEROP_HEADER]: '1000' }],
      ]
      for (const [method, target, headers] of requests) {
        const res = await draftSend(ctx, method, target, { headers, body: new Uint8Array(0) })
        const named =
          headers[INTEROP_HEADER] === undefined
            ? 'no interop version'
            : `interop version ${headers[INTEROP_HEADER]}`
        ctx.expect(res.status < 500, `${method} with ${named}: got ${res.status}`, res)
        if (res.headers.location && method === 'POST') ctx.createdByDraft(ctx.resolve(res.headers.location))
        const draftish = [
          res.informational.some((i) => i.status === 104) ? '104' : '',
          res.headers['upload-complete'] !== undefined ? 'Upload-Complete' : '',
          res.headers['upload-limit'] !== undefined ? 'Upload-Limit' : '',
        ].filter(Boolean)
        ctx.expect(
          draftish.length === 0,
          `${method} with ${named} was answered as the draft (${draftish.join(', ')})`,
          res,
        )
      }
    },
  ),
  check(
    '104.content',
    {
      section: `${DRAFT} > Upload Creation > Server Behavior`,
      level: 'MUST',
      rule: 'a 104 Upload Resumption Supported on creation carries the upload’s Location (the final answer’s), Upload-Limit and the interop version; a 104 on an append carries no Location',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      const data = pattern(12, 79)
      const { url, res } = await create(ctx, {
        complete: false,
        length: data.length,
        body: data.subarray(0, 4),
      })
      const interim = res.informational.filter((i) => i.status === 104)
      const announcing = interim.filter((i) => i.headers.location !== undefined)
      if (announcing.length === 0) {
        ctx.notApplicable(
          'not sent: no 104 with Location on creation (the draft asks for it only of servers that can send interim answers; a client then learns the upload URL from the final answer alone)',
        )
      }
      for (const info of announcing) {
        ctx.expect(
          ctx.resolve(info.headers.location ?? '') === url,
          `104 Location ${info.headers.location} differs from the final answer’s ${res.headers.location}`,
          res,
        )
        ctx.expect(
          limitField(info) !== undefined || limitField(res) === undefined,
          `104 lacks the Upload-Limit the final answer carries (${res.headers['upload-limit']})`,
          res,
        )
        ctx.expect(
          integerField(info, 'upload-draft-interop-version') === version,
          `104 Upload-Draft-Interop-Version ${info.headers['upload-draft-interop-version'] ?? '(none)'}, expected ${version}`,
          res,
        )
      }
      const appended = await sendAppend(ctx, url, 4, data.subarray(4), true)
      ctx.expect(
        !appended.informational.some((i) => i.status === 104 && i.headers.location !== undefined),
        'a 104 on an append carries Location',
        appended,
      )
    },
  ),
]
