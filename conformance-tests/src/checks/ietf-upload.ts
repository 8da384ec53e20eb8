import { setTimeout as sleep } from 'node:timers/promises'
import { type Context, pattern } from '../context.js'
import {
  append,
  create,
  draftSend,
  expectOffset,
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

// The IETF draft "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload), in the interop
// version the run names: creation, offset retrieval, append and cancellation. One check per rule of
// the draft, each named by that rule; the version-specific rules are in ietf-rules.ts.

const check = group('ietf')
export const DRAFT = 'draft-ietf-httpbis-resumable-upload'
const CREATION = `${DRAFT} > Upload Creation > Server Behavior`
const RETRIEVAL = `${DRAFT} > Offset Retrieval > Server Behavior`
const APPEND = `${DRAFT} > Upload Append > Server Behavior`

/** HEAD until the offset stops moving (the server may still be taking in a cut request). */
export async function settledOffset(ctx: Context, url: string): Promise<number> {
  let last = await offsetOf(ctx, url)
  for (let i = 0; i < 20; i++) {
    await sleep(100)
    const now = await offsetOf(ctx, url)
    if (now === last) return now
    last = now
  }
  return last
}

export const ietfUploadChecks: Check[] = [
  check(
    'creation.complete-in-one',
    {
      section: CREATION,
      level: 'MUST',
      rule: 'a creation with Upload-Complete: ?1 and all the content is a whole upload, complete after that one request',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(20, 61)
      const res = await sendCreation(ctx, { complete: true, body: data })
      ctx.expect(
        res.status >= 200 && res.status <= 299,
        `creation with Upload-Complete: ?1 and all 20 bytes: expected a 2xx, got ${res.status}`,
        res,
      )
      // The final answer of ?1 comes from the target resource and need not name the upload; a 104
      // may have.
      const location =
        res.headers.location ?? res.informational.find((i) => i.headers.location)?.headers.location
      if (location === undefined) {
        ctx.note('no Location in the answer: completion taken from the 2xx alone')
        return
      }
      const url = ctx.resolve(location)
      ctx.createdByDraft(url)
      await verifyBytes(ctx, url, data, 'upload created with ?1')
    },
  ),
  check(
    'creation.incomplete-with-content',
    {
      section: CREATION,
      level: 'MUST',
      rule: 'a creation with Upload-Complete: ?0 and the first part of the content answers a 2xx with Location; the part counts and the upload stays incomplete',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(20, 62)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 8) })
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.offset === 8 && state.complete === false,
        `after creation with 8 bytes and ?0, HEAD says Upload-Offset ${state.res.headers['upload-offset'] ?? '(none)'}, Upload-Complete ${state.res.headers['upload-complete'] ?? '(none)'}; expected 8 and ?0`,
        state.res,
      )
    },
  ),
  check(
    'creation.incomplete-empty',
    {
      section: CREATION,
      level: 'MUST',
      rule: 'a creation with Upload-Complete: ?0 and no content (learning the upload URL first) is valid: a 2xx with Location, offset 0',
    },
    async (ctx) => {
      versionOf(ctx)
      const { url } = await create(ctx, { complete: false })
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.offset === 0 && state.complete === false,
        `after an empty creation with ?0, HEAD says Upload-Offset ${state.res.headers['upload-offset'] ?? '(none)'}, Upload-Complete ${state.res.headers['upload-complete'] ?? '(none)'}; expected 0 and ?0`,
        state.res,
      )
    },
  ),
  check(
    'creation.interrupted-resumable',
    {
      section: CREATION,
      level: 'SHOULD',
      rule: 'a creation cut mid-content (its URL known from the 104) keeps what arrived, is not complete, and resumes from the HEAD offset to the exact bytes',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(512 * 1024, 68)
      const sent = 160 * 1024
      const res = await draftSend(ctx, 'POST', ctx.url, {
        headers: { 'Upload-Complete': '?1', 'Upload-Length': String(data.length) },
        body: data,
        abortAfter: sent,
      })
      const location = res.informational.find((i) => i.status === 104 && i.headers.location)?.headers.location
      if (location === undefined) {
        return ctx.notApplicable(
          'not sent: no 104 with Location came before the cut, so a client cannot know where to resume',
        )
      }
      const url = ctx.resolve(location)
      ctx.createdByDraft(url)
      const offset = await settledOffset(ctx, url)
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.complete === false,
        `after the cut, HEAD says Upload-Complete ${state.res.headers['upload-complete'] ?? '(none)'}, expected ?0`,
        state.res,
      )
      ctx.expect(
        offset <= sent,
        `HEAD reports offset ${offset} after the client sent only ${sent} bytes`,
        state.res,
      )
      ctx.expect(offset > 0, `nothing of the ${sent} bytes sent before the cut was kept`, state.res)
      // The server may still hold the cut request (a lock): retry the resumption briefly.
      for (let attempt = 0; ; attempt++) {
        const resumed = await sendAppend(ctx, url, offset, data.subarray(offset), true)
        if (resumed.status >= 200 && resumed.status <= 299) break
        if (attempt >= 10 || ![409, 423].includes(resumed.status))
          ctx.fail(`resuming at offset ${offset}: expected a 2xx, got ${resumed.status}`, resumed)
        await sleep(200)
      }
      await verifyBytes(ctx, url, data, 'upload resumed after a cut creation')
    },
  ),
  check(
    'response.upload-offset',
    {
      section: `${DRAFT} > Upload Resource > State > Offset`,
      level: 'SHOULD',
      rule: 'every creation and append answer carries Upload-Offset with the bytes processed (the acknowledgement; tus-js-client with interop 6 requires it on every append)',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(15, 63)
      const first = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 5) })
      expectOffset(ctx, first.res, 5, 'creation with 5 bytes and ?0')
      const empty = await create(ctx, { complete: false })
      expectOffset(ctx, empty.res, 0, 'creation without content and ?0')
      expectOffset(ctx, await append(ctx, first.url, 5, data.subarray(5, 10), false), 10, 'append ?0 to 10')
      expectOffset(ctx, await append(ctx, first.url, 10, data.subarray(10), true), 15, 'append ?1 to 15')
      const whole = await sendCreation(ctx, { complete: true, body: data.subarray(0, 7) })
      if (whole.headers.location) ctx.createdByDraft(ctx.resolve(whole.headers.location))
      expectOffset(ctx, whole, 7, 'creation with all 7 bytes and ?1')
    },
  ),
  check(
    'offset.head-fields',
    {
      section: RETRIEVAL,
      level: 'MUST',
      rule: 'HEAD of an upload answers Upload-Offset, Upload-Complete, Upload-Length (once known) and Upload-Limit',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(12, 64)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 4) })
      const state = await retrieve(ctx, url)
      ctx.expect(
        state.res.status >= 200 && state.res.status <= 299,
        `HEAD: expected a 2xx, got ${state.res.status}`,
        state.res,
      )
      const missing = [
        state.offset === 4 ? '' : `Upload-Offset 4 (got ${state.res.headers['upload-offset'] ?? 'none'})`,
        state.complete === false
          ? ''
          : `Upload-Complete ?0 (got ${state.res.headers['upload-complete'] ?? 'none'})`,
        state.length === 12 ? '' : `Upload-Length 12 (got ${state.res.headers['upload-length'] ?? 'none'})`,
        state.limit
          ? ''
          : `Upload-Limit as a Dictionary (got ${state.res.headers['upload-limit'] ?? 'none'})`,
      ].filter(Boolean)
      ctx.expect(missing.length === 0, `HEAD lacks ${missing.join(', ')}`, state.res)
      await append(ctx, url, 4, data.subarray(4), true)
      const done = await retrieve(ctx, url)
      ctx.expect(
        done.complete === true && done.offset === 12,
        `HEAD of the completed upload: Upload-Complete ${done.res.headers['upload-complete'] ?? '(none)'}, Upload-Offset ${done.res.headers['upload-offset'] ?? '(none)'}; expected ?1 and 12`,
        done.res,
      )
    },
  ),
  check(
    'offset.head-no-store',
    { section: RETRIEVAL, level: 'SHOULD', rule: 'HEAD of an upload answers Cache-Control: no-store' },
    async (ctx) => {
      versionOf(ctx)
      const { url } = await create(ctx, { complete: false })
      const { res } = await retrieve(ctx, url)
      ctx.expect(
        /(^|,)\s*no-store\s*(,|$)/i.test(res.headers['cache-control'] ?? ''),
        `HEAD: Cache-Control ${res.headers['cache-control'] ?? '(none)'}, expected no-store`,
        res,
      )
    },
  ),
  check(
    'offset.get-in-9',
    {
      section: RETRIEVAL,
      level: 'MUST',
      rule: 'interop 9: GET of an upload with the interop version retrieves the offset like HEAD (Upload-Offset, Upload-Complete), not a download',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      if (version !== 9)
        ctx.notApplicable(`not applicable: interop ${version} retrieves the offset by HEAD only`)
      const data = pattern(10, 65)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 6) })
      const res = await draftSend(ctx, 'GET', url)
      ctx.expect(res.status >= 200 && res.status <= 299, `GET: expected a 2xx, got ${res.status}`, res)
      expectOffset(ctx, res, 6, 'GET as offset retrieval')
      ctx.expect(
        booleanField(res, 'upload-complete') === false,
        `GET as offset retrieval: Upload-Complete ${res.headers['upload-complete'] ?? '(none)'}, expected ?0`,
        res,
      )
    },
  ),
  check(
    'append.partial-upload',
    {
      section: APPEND,
      level: 'MUST',
      rule: 'PATCH with application/partial-upload at the offset appends: ?0 answers a 2xx with Upload-Complete: ?0, ?1 a 2xx with Upload-Complete: ?1, and the bytes add up',
    },
    async (ctx) => {
      versionOf(ctx)
      const data = pattern(12, 66)
      const { url } = await create(ctx, { complete: false, length: data.length, body: data.subarray(0, 4) })
      await append(ctx, url, 4, data.subarray(4, 8), false)
      ctx.expect((await offsetOf(ctx, url)) === 8, 'after appending 4 bytes at 4, HEAD does not say 8')
      await append(ctx, url, 8, data.subarray(8), true)
      await verifyBytes(ctx, url, data, 'upload appended in parts')
    },
  ),
  check(
    'cancel.delete',
    {
      section: `${DRAFT} > Upload Cancellation > Server Behavior`,
      level: 'SHOULD',
      rule: 'DELETE of an upload answers a 2xx (204 in interop 6) and deactivates it: HEAD then answers a 4xx',
    },
    async (ctx) => {
      const version = versionOf(ctx)
      const { url } = await create(ctx, { complete: false, length: 10, body: pattern(3, 67) })
      const res = await draftSend(ctx, 'DELETE', url)
      ctx.expectStatus(res, version === 6 ? [204] : [200, 202, 204], 'DELETE of an upload')
      const after = await retrieve(ctx, url)
      ctx.expectClientError(after.res, 'HEAD after DELETE')
    },
  ),
]
