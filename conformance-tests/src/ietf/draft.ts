import type { Context, SendOptions } from '../context.js'
import type { HttpResponse } from '../http.js'
import type { IetfVersion } from '../types.js'
import { booleanField, integerField, stateOf } from './fields.js'

// Requests of the IETF draft as the ietf group sends them: every one names the interop version
// under test in Upload-Draft-Interop-Version and carries no Tus-Resumable (a draft client sends none).

export const PARTIAL_UPLOAD = 'application/partial-upload'
export const INTEROP_HEADER = 'Upload-Draft-Interop-Version'

/** The version under test; the check is not applicable when the run could choose none. */
export function versionOf(ctx: Context): IetfVersion {
  const selection = ctx.ietf
  if (!selection?.version) {
    ctx.notApplicable(`not applicable: ${selection?.reason ?? 'run with --ietf [9|8|6]'}`)
  }
  return selection.version
}

/** Any request of the draft, in the version under test unless `headers` says another. */
export function draftSend(
  ctx: Context,
  method: string,
  url: string,
  options: SendOptions = {},
): Promise<HttpResponse> {
  return ctx.send(method, url, {
    ...options,
    headers: { 'Tus-Resumable': undefined, [INTEROP_HEADER]: String(versionOf(ctx)), ...options.headers },
  })
}

export interface DraftCreation {
  complete: boolean
  body?: Uint8Array
  /** Upload-Length, as a number or a raw field value. */
  length?: number | string
  headers?: Record<string, string | undefined>
}

/** POST to the creation URL with Upload-Complete; the raw answer (no expectations). */
export function sendCreation(ctx: Context, creation: DraftCreation): Promise<HttpResponse> {
  const headers: Record<string, string | undefined> = {
    'Upload-Complete': creation.complete ? '?1' : '?0',
    ...creation.headers,
  }
  if (creation.length !== undefined) headers['Upload-Length'] = String(creation.length)
  return draftSend(ctx, 'POST', ctx.url, { headers, body: creation.body ?? new Uint8Array(0) })
}

/** A creation that must succeed: a 2xx with Location (201 is only RECOMMENDED). */
export async function create(
  ctx: Context,
  creation: DraftCreation,
): Promise<{ url: string; res: HttpResponse }> {
  const res = await sendCreation(ctx, creation)
  const location = res.headers.location
  if (res.status < 200 || res.status > 299 || !location) {
    ctx.fail(`could not create an upload: expected a 2xx with Location, got ${res.status}`, res)
  }
  const url = ctx.resolve(location)
  ctx.createdByDraft(url)
  return { url, res }
}

/** PATCH with application/partial-upload at `offset`; the raw answer. */
export function sendAppend(
  ctx: Context,
  url: string,
  offset: number | string,
  body: Uint8Array,
  complete: boolean,
  headers: Record<string, string | undefined> = {},
): Promise<HttpResponse> {
  return draftSend(ctx, 'PATCH', url, {
    headers: {
      'Content-Type': PARTIAL_UPLOAD,
      'Upload-Offset': String(offset),
      'Upload-Complete': complete ? '?1' : '?0',
      ...headers,
    },
    body,
  })
}

/** An append that must succeed: a 2xx whose Upload-Complete says what the request asked. */
export async function append(
  ctx: Context,
  url: string,
  offset: number,
  body: Uint8Array,
  complete: boolean,
): Promise<HttpResponse> {
  const res = await sendAppend(ctx, url, offset, body, complete)
  if (res.status < 200 || res.status > 299) {
    ctx.fail(`append of ${body.length} bytes at offset ${offset}: expected a 2xx, got ${res.status}`, res)
  }
  const said = booleanField(res, 'upload-complete')
  ctx.expect(
    said === complete,
    `append with Upload-Complete: ${complete ? '?1' : '?0'} answered Upload-Complete ${res.headers['upload-complete'] ?? '(none)'}`,
    res,
  )
  return res
}

/** HEAD of an upload: its answer and the state fields in it. */
export async function retrieve(ctx: Context, url: string) {
  const res = await draftSend(ctx, 'HEAD', url)
  return { res, ...stateOf(res) }
}

/** The upload's offset by HEAD; fails when HEAD does not give one. */
export async function offsetOf(ctx: Context, url: string): Promise<number> {
  const { res, offset } = await retrieve(ctx, url)
  if (res.status < 200 || res.status > 299 || offset === undefined) {
    ctx.fail(`HEAD did not report an Upload-Offset (status ${res.status})`, res)
  }
  return offset
}

/** Fails unless the answer's Upload-Offset (a structured Integer) is `expected`. */
export function expectOffset(ctx: Context, res: HttpResponse, expected: number, what: string): void {
  const offset = integerField(res, 'upload-offset')
  ctx.expect(
    offset === expected,
    `${what}: Upload-Offset ${res.headers['upload-offset'] === undefined ? 'missing' : `"${res.headers['upload-offset']}"`}, expected ${expected}`,
    res,
  )
}

/**
 * The finished upload holds exactly `expected`: by a plain GET (no draft header) when the server
 * serves downloads, else by its offset, noted in the result.
 */
export async function verifyBytes(ctx: Context, url: string, expected: Buffer, what: string): Promise<void> {
  const { res, offset, complete } = await retrieve(ctx, url)
  ctx.expect(
    offset === expected.length && complete === true,
    `${what}: HEAD says Upload-Offset ${res.headers['upload-offset'] ?? '(none)'}, Upload-Complete ${res.headers['upload-complete'] ?? '(none)'}; expected ${expected.length} and ?1`,
    res,
  )
  const got = await ctx.download(url)
  if (got === undefined) {
    ctx.note('bytes verified by offsets only (the server serves no GET download)')
    return
  }
  ctx.expect(
    got.equals(expected),
    `${what}: GET returned ${got.length} bytes that differ from the ${expected.length} sent`,
  )
}
