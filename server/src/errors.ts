// Every error Tusk answers, in one table: a stable code, an HTTP status and a short, client-safe
// reason. The code is a union derived from this table, so an error that is not in it cannot be made;
// it starts every error body (`ERR_OFFSET_MISMATCH: ...`, as tusd does) and is in the request's log
// line. Anything thrown that is not a TuskError is unexpected: failures.ts logs it with
// its cause and answers ERR_INTERNAL, which says nothing about internals. The README's "Errors"
// table is written from this one (scripts/errors-table.mjs) and checked by a test.

const TABLE = {
  // Requests that break the protocol's rules.
  ERR_TUS_VERSION: [412, 'unsupported Tus-Resumable version (this server speaks 1.0.0)'],
  ERR_INVALID_HEADER: [400, 'invalid header'],
  ERR_INVALID_METADATA: [400, 'invalid Upload-Metadata'],
  ERR_INVALID_ID: [400, 'invalid upload id'],
  ERR_INVALID_METHOD: [400, 'invalid X-HTTP-Method-Override'],
  ERR_CONTENT_TYPE: [415, 'PATCH requires Content-Type: application/offset+octet-stream'],
  ERR_INVALID_LENGTH: [400, 'invalid upload length'],
  ERR_INVALID_CONCAT: [400, 'invalid Upload-Concat'],
  ERR_INVALID_CHECKSUM: [400, 'invalid Upload-Checksum'],
  ERR_CHECKSUM_ALGORITHM: [400, 'unsupported checksum algorithm'],
  ERR_METHOD: [405, 'method not allowed'],
  ERR_TOO_LARGE: [413, 'upload exceeds the maximum size'],
  // Who is asking, and what they may do (server/src/auth).
  ERR_UNAUTHORIZED: [401, 'authentication required'],
  ERR_FORBIDDEN: [403, 'this token does not allow this request'],
  ERR_RATE_LIMITED: [429, 'too many requests; retry later'],
  ERR_QUOTA_EXCEEDED: [429, 'upload quota exceeded; finish or delete an upload first'],
  // The state of an upload refuses the request.
  ERR_NOT_FOUND: [404, 'upload not found'],
  ERR_NOT_FINISHED: [404, 'upload is not finished'],
  ERR_GONE: [410, 'upload expired'],
  ERR_OFFSET_MISMATCH: [409, "Upload-Offset does not match the upload's offset"],
  ERR_INCONSISTENT_LENGTH: [400, 'the upload length is inconsistent with what was sent before'],
  ERR_UPLOAD_COMPLETED: [410, 'the upload is already complete'],
  ERR_ALREADY_COMPLETE: [400, 'the upload is already complete; nothing more can be appended'],
  ERR_OTHER_PROTOCOL: [409, 'the upload was made with another upload protocol; continue it with that one'],
  ERR_DIGEST_MISMATCH: [400, 'Content-Digest does not match the content: it was discarded'],
  ERR_REPR_DIGEST_MISMATCH: [
    400,
    'the completed upload does not match its Repr-Digest: it was deleted (upload it again)',
  ],
  ERR_MEDIA_TYPE: [415, 'an append needs Content-Type: application/partial-upload'],
  ERR_INVALID_FIELD: [400, 'a required field is missing or invalid'],
  ERR_FINAL_UPLOAD: [403, 'a final (concatenated) upload cannot be patched'],
  ERR_CHECKSUM_MISMATCH: [460, 'checksum mismatch: the chunk was discarded'],
  ERR_RANGE: [416, 'range not satisfiable'],
  ERR_LOCKED: [423, 'upload is locked by another request; retry'],
  ERR_TAKEN_OVER: [
    423,
    'another request took over this upload; the bytes received are kept (ask for the offset)',
  ],
  ERR_ABORTED: [400, 'request aborted'],
  // What this server or its configuration cannot do.
  ERR_CONCAT_UNSUPPORTED: [501, 'this store does not support concatenation'],
  ERR_TERMINATION_UNSUPPORTED: [501, 'this store does not support termination'],
  // Faults of the server's backends: the request may be retried.
  ERR_UNAVAILABLE: [503, 'service unavailable'],
  ERR_AUTH_UNAVAILABLE: [503, 'the token keys cannot be fetched now; retry later'],
  ERR_STORE_UNAVAILABLE: [503, 'the storage backend is unreachable; retry later'],
  // A read of an upload's offset during a backend fault: 423, because standard tus clients retry it
  // and keep the upload, where any other status makes them start the upload over.
  ERR_RETRY_LATER: [423, 'the upload cannot be read while a backend is unavailable; retry later'],
  // Hooks (hooks/): a blocking hook refused the request (it may choose another 4xx), or did not answer.
  ERR_HOOK_REJECTED: [403, 'refused by a hook'],
  ERR_HOOK_FAILED: [503, 'a hook the request depends on did not answer in time or failed; retry later'],
  ERR_STORAGE_FULL: [507, 'insufficient storage: the upload is kept and can be resumed later'],
  ERR_INTERNAL: [500, 'internal server error'],
} as const satisfies Record<string, readonly [number, string]>

export type ErrorCode = keyof typeof TABLE

/** The table as rows, for documentation (the README's Errors table) and tests. */
export const errorTable: readonly { code: ErrorCode; status: number; message: string }[] = (
  Object.entries(TABLE) as [ErrorCode, readonly [number, string]][]
).map(([code, [status, message]]) => ({ code, status, message }))

export interface TuskErrorOptions {
  cause?: unknown
  headers?: Record<string, string>
}

export class TuskError extends Error {
  override name = 'TuskError'
  readonly status: number
  readonly headers: Record<string, string>
  /** `detail` adds what was wrong with this request to the code's standard reason. */
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    options?: TuskErrorOptions,
  ) {
    const [status, reason] = TABLE[code]
    super(detail ? `${reason}: ${detail}` : reason, options?.cause === undefined ? undefined : options)
    this.status = status
    this.headers = options?.headers ?? {}
  }
}

const e = (code: ErrorCode) => (detail?: string, options?: TuskErrorOptions) =>
  new TuskError(code, detail, options)

/** Short names for throwing: `throw ERR.NOT_FOUND()`. */
export const ERR = {
  VERSION_UNSUPPORTED: e('ERR_TUS_VERSION'),
  INVALID_HEADER: e('ERR_INVALID_HEADER'),
  INVALID_METADATA: e('ERR_INVALID_METADATA'),
  INVALID_ID: e('ERR_INVALID_ID'),
  INVALID_METHOD_OVERRIDE: e('ERR_INVALID_METHOD'),
  UNSUPPORTED_MEDIA_TYPE: e('ERR_CONTENT_TYPE'),
  INVALID_LENGTH: e('ERR_INVALID_LENGTH'),
  INVALID_CONCAT: e('ERR_INVALID_CONCAT'),
  INVALID_CHECKSUM: e('ERR_INVALID_CHECKSUM'),
  CHECKSUM_ALGORITHM: e('ERR_CHECKSUM_ALGORITHM'),
  METHOD_NOT_ALLOWED: e('ERR_METHOD'),
  TOO_LARGE: e('ERR_TOO_LARGE'),
  UNAUTHORIZED: e('ERR_UNAUTHORIZED'),
  FORBIDDEN: e('ERR_FORBIDDEN'),
  RATE_LIMITED: e('ERR_RATE_LIMITED'),
  QUOTA_EXCEEDED: e('ERR_QUOTA_EXCEEDED'),
  AUTH_UNAVAILABLE: e('ERR_AUTH_UNAVAILABLE'),
  NOT_FOUND: e('ERR_NOT_FOUND'),
  NOT_FINISHED: e('ERR_NOT_FINISHED'),
  GONE: e('ERR_GONE'),
  OFFSET_MISMATCH: e('ERR_OFFSET_MISMATCH'),
  INCONSISTENT_LENGTH: e('ERR_INCONSISTENT_LENGTH'),
  UPLOAD_COMPLETED: e('ERR_UPLOAD_COMPLETED'),
  ALREADY_COMPLETE: e('ERR_ALREADY_COMPLETE'),
  OTHER_PROTOCOL: e('ERR_OTHER_PROTOCOL'),
  DIGEST_MISMATCH: e('ERR_DIGEST_MISMATCH'),
  REPR_DIGEST_MISMATCH: e('ERR_REPR_DIGEST_MISMATCH'),
  MEDIA_TYPE: e('ERR_MEDIA_TYPE'),
  INVALID_FIELD: e('ERR_INVALID_FIELD'),
  FINAL_UPLOAD: e('ERR_FINAL_UPLOAD'),
  CHECKSUM_MISMATCH: e('ERR_CHECKSUM_MISMATCH'),
  RANGE_NOT_SATISFIABLE: e('ERR_RANGE'),
  LOCKED: e('ERR_LOCKED'),
  TAKEN_OVER: e('ERR_TAKEN_OVER'),
  ABORTED: e('ERR_ABORTED'),
  CONCAT_UNSUPPORTED: e('ERR_CONCAT_UNSUPPORTED'),
  TERMINATION_UNSUPPORTED: e('ERR_TERMINATION_UNSUPPORTED'),
  UNAVAILABLE: e('ERR_UNAVAILABLE'),
  STORE_UNAVAILABLE: e('ERR_STORE_UNAVAILABLE'),
  RETRY_LATER: e('ERR_RETRY_LATER'),
  HOOK_REJECTED: e('ERR_HOOK_REJECTED'),
  HOOK_FAILED: e('ERR_HOOK_FAILED'),
  STORAGE_FULL: e('ERR_STORAGE_FULL'),
  INTERNAL: e('ERR_INTERNAL'),
} as const satisfies Record<string, (detail?: string, options?: TuskErrorOptions) => TuskError>
