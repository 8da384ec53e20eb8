import type { IncomingMessage, ServerResponse } from 'node:http'
import { ERR } from '../errors.js'
import { noteErrorCode, toTuskError } from '../failures.js'
import type { Logger } from '../log.js'

// Answers of the draft protocol. Errors are problem details (RFC 9457, application/problem+json)
// with the error table's code; the two problem types the draft defines carry their own type URI
// and members (set by the handler through `problem`).

const PROBLEM_TYPES = {
  ERR_OFFSET_MISMATCH: 'https://iana.org/assignments/http-problem-types#mismatching-upload-offset',
  ERR_INCONSISTENT_LENGTH: 'https://iana.org/assignments/http-problem-types#inconsistent-upload-length',
  ERR_UPLOAD_COMPLETED: 'https://iana.org/assignments/http-problem-types#completed-upload',
} as const

/** Extra members and headers an error answer carries (e.g. expected-offset). */
export interface ProblemExtras {
  members?: Record<string, unknown>
  headers?: Record<string, string>
}

const extras = new WeakMap<object, ProblemExtras>()

/** Attaches problem members/headers to an error before it is thrown. */
export function problem<E extends Error>(error: E, more: ProblemExtras): E {
  extras.set(error, more)
  return error
}

/**
 * Answers an error as problem details. `limits` (Upload-Limit) goes on a 413: "the server SHOULD
 * include the Upload-Limit header field" when it refuses content for exceeding its limits.
 */
export function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: Logger,
  limits?: () => string,
): void {
  let tuskError = toTuskError(error, logger, req)
  // tus's 460 for a failed checksum is not an HTTP status the draft knows: a failed Content-Digest is 400.
  if (tuskError.code === 'ERR_CHECKSUM_MISMATCH') tuskError = ERR.DIGEST_MISMATCH(undefined, { cause: error })
  noteErrorCode(res, tuskError.code)
  if (res.headersSent) {
    res.destroy()
    return
  }
  const more = extras.get(error as object) ?? {}
  const type = (PROBLEM_TYPES as Record<string, string>)[tuskError.code]
  const body =
    req.method === 'HEAD'
      ? ''
      : JSON.stringify({
          type: type ?? 'about:blank',
          title: tuskError.message,
          status: tuskError.status,
          code: tuskError.code,
          ...more.members,
        })
  res.statusCode = tuskError.status
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Type', 'application/problem+json')
  res.setHeader('Content-Length', String(Buffer.byteLength(body)))
  for (const [name, value] of Object.entries({ ...tuskError.headers, ...more.headers }))
    res.setHeader(name, value)
  if (tuskError.status === 413 && limits) res.setHeader('Upload-Limit', limits())
  if (!req.complete) res.setHeader('Connection', 'close')
  res.end(body)
}

/** A bodiless success with the given fields. */
export function sendFields(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | undefined>,
): void {
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value)
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', '0')
  res.end()
}

/** Sends 104 Upload Resumption Supported where this Node can (res.writeInformation), else nothing. */
export function sendInformational(res: ServerResponse, headers: Record<string, string>): boolean {
  const write = (
    res as unknown as { writeInformation?: (status: number, headers: Record<string, string>) => void }
  ).writeInformation
  if (typeof write !== 'function' || res.headersSent) return false
  write.call(res, 104, headers)
  return true
}
