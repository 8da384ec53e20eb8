import { z } from 'zod'
import type { HookEvent, HookResponse, HookStorage, HookUpload } from './types.js'

// The two bodies Tusk can send and read. "tusd" is tusd v2's HTTP hook body and response, so a
// receiver written for tusd works unchanged; "standard" is the Standard Webhooks shape
// {type, timestamp, data} with Tusk's own field names, and answers in HookResponse's shape.

export type HookFormat = 'tusd' | 'standard'

const tusdStorage = (s: HookStorage) =>
  s.type === 'filestore'
    ? { Type: s.type, Path: s.path ?? '' }
    : { Type: s.type, Bucket: s.bucket, Key: s.key }

function tusdUpload(u: HookUpload) {
  return {
    ID: u.id,
    Size: u.size ?? 0,
    SizeIsDeferred: u.sizeIsDeferred,
    Offset: u.offset,
    // tusd's MetaData is map[string]string: an empty value is "".
    MetaData: Object.fromEntries(Object.entries(u.metadata).map(([k, v]) => [k, v ?? ''])),
    IsPartial: u.isPartial,
    IsFinal: u.isFinal,
    PartialUploads: u.isFinal ? u.partialUploads : null,
    Storage: tusdStorage(u.storage),
    // Not in tusd: who created the upload (tusd has no owner); receivers that do not know it ignore it.
    Owner: u.owner ?? '',
  }
}

/** The request body for an event, in the endpoint's format. */
export function hookBody(format: HookFormat, event: HookEvent, at: Date): string {
  if (format === 'standard') {
    return JSON.stringify({
      type: event.type,
      timestamp: at.toISOString(),
      data: {
        upload: event.upload,
        request: event.request,
        ...(event.access ? { access: event.access } : {}),
      },
    })
  }
  return JSON.stringify({
    Type: event.type,
    Event: {
      Upload: tusdUpload(event.upload),
      HTTPRequest: {
        Method: event.request.method,
        URI: event.request.uri,
        RemoteAddr: event.request.remoteAddr,
        Header: event.request.header,
      },
      ...(event.access
        ? { Access: { Mode: event.access.mode, Uploads: event.access.uploads.map(tusdUpload) } }
        : {}),
    },
  })
}

const headers = z.record(z.string(), z.union([z.string(), z.array(z.string())]))
const flattenHeaders = (h: z.infer<typeof headers> | undefined) =>
  h
    ? Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]))
    : undefined

const tusdResponse = z.object({
  HTTPResponse: z
    .object({
      StatusCode: z.number().int().optional(),
      Body: z.string().optional(),
      Header: headers.optional(),
    })
    .partial()
    .optional(),
  RejectUpload: z.boolean().optional(),
  RejectTermination: z.boolean().optional(),
  RejectAccess: z.boolean().optional(),
  StopUpload: z.boolean().optional(),
  ChangeFileInfo: z
    .object({
      ID: z.string().optional(),
      MetaData: z.record(z.string(), z.string()).optional(),
      // Not in tusd: a lower size limit for this upload.
      MaxSize: z.number().optional(),
      Storage: z.unknown().optional(),
    })
    .optional(),
})

const standardResponse = z.object({
  reject: z
    .union([z.boolean(), z.object({ status: z.number().int().optional(), message: z.string().optional() })])
    .optional(),
  changeUpload: z
    .object({
      id: z.string().optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      maxSize: z.number().optional(),
    })
    .optional(),
  response: z
    .object({ status: z.number().int().optional(), headers: headers.optional(), body: z.string().optional() })
    .optional(),
})

/**
 * A blocking hook's answer as a HookResponse; an empty body means "no objection". Throws an Error
 * with a short reason when the body is not JSON of the expected shape.
 */
export function parseHookResponse(format: HookFormat, text: string): HookResponse {
  if (text.trim() === '') return {}
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error('answered with invalid JSON')
  }
  if (format === 'standard') {
    const parsed = standardResponse.safeParse(json)
    if (!parsed.success) throw new Error('answered JSON that is not a hook response')
    const { response, ...rest } = parsed.data
    return response ? { ...rest, response: { ...response, headers: flattenHeaders(response.headers) } } : rest
  }
  const parsed = tusdResponse.safeParse(json)
  if (!parsed.success) throw new Error('answered JSON that is not a tusd hook response')
  const r = parsed.data
  const http = r.HTTPResponse
  const rejected = r.RejectUpload === true || r.RejectTermination === true || r.RejectAccess === true
  const result: {
    reject?: HookResponse['reject']
    changeUpload?: HookResponse['changeUpload']
    response?: HookResponse['response']
  } = {}
  if (rejected) result.reject = { status: http?.StatusCode, message: http?.Body }
  else if (http && (http.StatusCode !== undefined || http.Body !== undefined || http.Header !== undefined)) {
    result.response = { status: http.StatusCode, body: http.Body, headers: flattenHeaders(http.Header) }
  }
  const change = r.ChangeFileInfo
  if (change && (change.ID || change.MetaData || change.MaxSize !== undefined)) {
    result.changeUpload = {
      ...(change.ID ? { id: change.ID } : {}),
      ...(change.MetaData ? { metadata: change.MetaData } : {}),
      ...(change.MaxSize !== undefined ? { maxSize: change.MaxSize } : {}),
    }
  }
  return result
}
