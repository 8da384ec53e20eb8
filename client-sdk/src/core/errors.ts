import type { HttpRequest, HttpResponse } from 'tus-js-client'
import { describeHtmlPage, describeNetworkFailure, type NetworkFailureKind } from './network-failure.js'

/** Stable, machine-readable reasons an upload can fail. */
export type UploadErrorCode =
  | 'network' // no HTTP answer: connection refused/reset, DNS, timeout
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404 / 410: the upload is gone (expired or terminated)
  | 'offset_mismatch' // 409
  | 'too_large' // 413, or the size exceeds the announced Tus-Max-Size
  | 'locked' // 423
  | 'rate_limited' // 429
  | 'checksum_mismatch' // 460
  | 'http' // any other 4xx
  | 'server' // 5xx
  | 'unsupported' // the server lacks an extension this upload needs
  | 'invalid_response' // a 2xx answer that breaks the protocol
  | 'source' // the file/stream could not be read
  | 'aborted' // abort() or the AbortSignal

const STATUS_CODES: Record<number, UploadErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'offset_mismatch',
  410: 'not_found',
  413: 'too_large',
  423: 'locked',
  429: 'rate_limited',
  460: 'checksum_mismatch',
}

export function codeForStatus(status: number): UploadErrorCode {
  if (status >= 500) return 'server'
  return STATUS_CODES[status] ?? 'http'
}

export interface TuskUploadErrorInit {
  code: UploadErrorCode
  message: string
  status?: number
  serverMessage?: string
  method?: string
  url?: string
  retryAfterMs?: number
  /** For `network` errors: what kept the request from an answer. */
  networkFailure?: NetworkFailureKind
  /** False when another attempt cannot help (an unknown host name, a refused certificate). */
  transient?: boolean
  /** Whether the answer came from a tus server (it carried `Tus-Resumable`), not a proxy. */
  fromTusServer?: boolean
  cause?: unknown
}

/** The one error type the SDK reports: a code, the HTTP status and the server's own reason. */
export class TuskUploadError extends Error {
  override name = 'TuskUploadError'
  readonly code: UploadErrorCode
  /** HTTP status of the failing answer, when there was one. */
  readonly status: number | undefined
  /** The server's reason (first line of its error body), when it gave one. */
  readonly serverMessage: string | undefined
  readonly method: string | undefined
  readonly url: string | undefined
  /** Delay the server asked for with `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined
  /** For `network` errors: what kept the request from an answer (refused, dns, tls, …). */
  readonly networkFailure: NetworkFailureKind | undefined
  /** False when retrying cannot help; undefined when the code alone decides. */
  readonly transient: boolean | undefined
  /** For HTTP errors: whether a tus server answered (it sent `Tus-Resumable`), not a proxy. */
  readonly fromTusServer: boolean | undefined

  constructor(init: TuskUploadErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.status = init.status
    this.serverMessage = init.serverMessage
    this.method = init.method
    this.url = init.url
    this.retryAfterMs = init.retryAfterMs
    this.networkFailure = init.networkFailure
    this.transient = init.transient
    this.fromTusServer = init.fromTusServer
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      serverMessage: this.serverMessage,
      method: this.method,
      url: this.url,
      networkFailure: this.networkFailure,
    }
  }
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function firstLine(body: string): string | undefined {
  const line = body.trim().split('\n')[0]?.trim()
  return line ? line.slice(0, 300) : undefined
}

/** Builds the error for an HTTP answer the SDK did not expect. */
export function httpError(method: string, url: string, res: HttpResponse, what: string): TuskUploadError {
  const status = res.getStatus()
  const body = safeBody(res)
  const fromTusServer = res.getHeader('Tus-Resumable') !== undefined
  // A proxy or plain web server in the way answers with an HTML page: say so, with its title,
  // instead of quoting the page's first line ("<html>").
  const page = fromTusServer ? null : describeHtmlPage(body, res.getHeader('Content-Type'))
  // A HEAD answer has no body: a refused token's reason is then in the Bearer challenge.
  const serverMessage =
    page ?? firstLine(body) ?? (status === 401 ? bearerReason(res.getHeader('WWW-Authenticate')) : undefined)
  const hint =
    status === 502 || status === 503 || status === 504
      ? 'is the server running?'
      : 'is the endpoint URL right?'
  return new TuskUploadError({
    code: codeForStatus(status),
    status,
    serverMessage,
    method,
    url,
    fromTusServer,
    retryAfterMs: parseRetryAfter(res.getHeader('Retry-After')),
    message: page
      ? `${what}: ${status} from a proxy or web server, not a tus server (HTML page "${page}"); ${hint}`
      : status === 401
        ? `${what}: the server refused the token (401${serverMessage ? `: ${refusalReason(serverMessage)}` : ''})`
        : `${what}: the server answered ${status}${serverMessage ? ` (${serverMessage})` : ''}`,
  })
}

/** `error_description` of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750), if any. */
export function bearerReason(challenge: string | undefined | null): string | undefined {
  const match = /error_description="([^"]*)"/i.exec(challenge ?? '')
  return match?.[1] || undefined
}

/** A server's reason without its error code: "ERR_UNAUTHORIZED: token expired" → "token expired". */
export function refusalReason(serverMessage: string): string {
  return serverMessage.replace(/^ERR_[A-Z0-9_]+:\s*/, '')
}

function safeBody(res: HttpResponse): string {
  try {
    return res.getBody() ?? ''
  } catch {
    return ''
  }
}

interface DetailedErrorLike {
  message: string
  originalRequest?: HttpRequest | null
  originalResponse?: HttpResponse | null
  causingError?: Error | null
}

/** Turns whatever tus-js-client or a source reported into a TuskUploadError. */
export function toUploadError(error: unknown): TuskUploadError {
  if (error instanceof TuskUploadError) return error
  const detailed = error as DetailedErrorLike
  // A refusal the SDK's own transport raised (refusal-stack.ts) already is the error to report.
  if (detailed && typeof detailed === 'object' && detailed.causingError instanceof TuskUploadError)
    return detailed.causingError
  if (detailed && typeof detailed === 'object' && 'originalRequest' in detailed && detailed.originalRequest) {
    const req = detailed.originalRequest
    const method = req.getMethod()
    const url = req.getURL()
    const res = detailed.originalResponse
    if (res) {
      const status = res.getStatus()
      if (status >= 200 && status < 300) {
        return new TuskUploadError({
          code: 'invalid_response',
          status,
          method,
          url,
          message: `${method} ${url} got an invalid answer: ${stripTusPrefix(detailed.message)}`,
          cause: error,
        })
      }
      return httpError(method, url, res, `${method} ${url} failed`)
    }
    const cause = detailed.causingError
    const failure = describeNetworkFailure(method, url, cause ?? new Error(stripTusPrefix(detailed.message)))
    return new TuskUploadError({
      code: 'network',
      method,
      url,
      networkFailure: failure.kind,
      transient: failure.transient,
      message: failure.message,
      cause: cause ?? error,
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new TuskUploadError({ code: 'source', message: stripTusPrefix(message), cause: error })
}

function stripTusPrefix(message: string): string {
  return message.replace(/^tus: /, '').split(', originated from request')[0] ?? message
}
