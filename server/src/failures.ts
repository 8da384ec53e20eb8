import { ERRORS } from '@tus/utils'
import { ERR, type ErrorCode, TuskError } from './errors.js'
import type { Logger } from './log.js'

// The one place that turns any thrown value into a TuskError of the table (errors.ts). Known
// conditions keep their meaning; faults of the storage backend become an answer a client can act on
// (507 for a full disk or quota, 503 with Retry-After for an unreachable service); anything else is
// logged with its cause and becomes ERR_INTERNAL, which says nothing about internals.

type TusLibraryError = { status_code: number; body: string }
const isTusLibraryError = (e: unknown): e is TusLibraryError =>
  typeof e === 'object' && e !== null && typeof (e as TusLibraryError).status_code === 'number'

// @tus library errors (thrown by its stores and lockers) with a meaning of their own.
const LIBRARY = new Map<TusLibraryError, () => TuskError>([
  // A lock that cannot be had in time is contention, not a server fault: 423 lets clients retry.
  [ERRORS.ERR_LOCK_TIMEOUT, () => ERR.LOCKED()],
  [ERRORS.FILE_NOT_FOUND, () => ERR.NOT_FOUND()],
  [ERRORS.FILE_NO_LONGER_EXISTS, () => ERR.GONE()],
  [ERRORS.ERR_SIZE_EXCEEDED, () => ERR.TOO_LARGE()],
  [ERRORS.INVALID_OFFSET, () => ERR.OFFSET_MISMATCH()],
])

const STORAGE_FULL = new Set(['ENOSPC', 'EDQUOT'])
// A network failure on the way to a backend (S3, Redis): the request can be retried once it is back.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
])
const RETRY_AFTER_SECONDS = '5'

/** The errno-style code of an error or of any error in its cause chain. */
function codesOf(error: unknown): string[] {
  const codes: string[] = []
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown }
    if (typeof code === 'string') codes.push(code)
    if (typeof name === 'string') codes.push(name)
    e = (e as { cause?: unknown }).cause
  }
  return codes
}

/** An AWS SDK or Azure SDK error (RestError) for a service that answered 5xx (throttled or failing). */
const isServiceFault = (error: unknown) => {
  const { $metadata, name, statusCode } = error as {
    $metadata?: { httpStatusCode?: number }
    name?: string
    statusCode?: number
  }
  const status = $metadata?.httpStatusCode ?? (name === 'RestError' ? statusCode : undefined)
  return typeof status === 'number' && status >= 500
}

export function toTuskError(
  error: unknown,
  logger: Logger,
  req?: { method?: string; url?: string },
): TuskError {
  if (error instanceof TuskError) return error
  if (isTusLibraryError(error)) {
    const known = LIBRARY.get(error)
    if (known) return known()
  }
  const codes = codesOf(error)
  if (codes.some((code) => STORAGE_FULL.has(code))) {
    logger.warn({ err: error, method: req?.method, url: req?.url }, 'storage is full')
    return ERR.STORAGE_FULL(undefined, { cause: error })
  }
  if (
    codes.some((code) => UNREACHABLE.has(code) || code === 'TimeoutError' || code === 'RequestTimeout') ||
    isServiceFault(error)
  ) {
    logger.warn({ err: error, method: req?.method, url: req?.url }, 'storage backend unavailable')
    return ERR.STORE_UNAVAILABLE(undefined, { cause: error, headers: { 'Retry-After': RETRY_AFTER_SECONDS } })
  }
  logger.error(
    { err: error, method: req?.method, url: req?.url },
    'unexpected error while handling a request',
  )
  return ERR.INTERNAL(undefined, { cause: error })
}

// The code each error response was sent with, for the request's log line (host/request-log.ts).
const sentCodes = new WeakMap<object, ErrorCode>()
export const noteErrorCode = (res: object, code: ErrorCode): void => void sentCodes.set(res, code)
export const errorCodeOf = (res: object): ErrorCode | undefined => sentCodes.get(res)

/**
 * The answer to a failed offset read (tus HEAD, the draft's HEAD/GET). tus-js-client (and so Uppy)
 * drops an upload and starts it over when that read answers anything but 2xx or 423; a backend fault
 * (a 503 of any cause: S3, Redis, a hook) is not the upload's fault, so it becomes 423 with the same
 * reason and Retry-After, which they retry, keeping the upload.
 */
export function offsetReadFailure(
  error: unknown,
  logger: Logger,
  req?: { method?: string; url?: string },
): TuskError {
  const failure = toTuskError(error, logger, req)
  if (failure.status !== 503) return failure
  return ERR.RETRY_LATER(failure.message, { cause: error, headers: failure.headers })
}
