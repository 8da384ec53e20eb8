import { type Dispatcher, request } from 'undici'
import { signedHeaders } from './signing.js'

/** A blocking hook's answer is read up to this size; a non-blocking hook's answer is not read. */
export const MAX_RESPONSE_BYTES = 64 * 1024

export type Outcome =
  | { readonly ok: true; readonly status: number; readonly text: string }
  | {
      readonly ok: false
      /** A retry may succeed (network failure, timeout, 5xx, 429, ...). */
      readonly retryable: boolean
      /** 410: the endpoint says it is gone for good. */
      readonly gone: boolean
      readonly retryAfterMs?: number
      readonly reason: string
    }

export interface PostOptions {
  readonly id: string
  readonly body: string
  readonly sign: (id: string, at: Date, body: string) => string
  readonly timeoutMs: number
  /** Whether the answer's body matters (blocking hooks); otherwise only the status does. */
  readonly readBody: boolean
  /**
   * The connection pool to send through (the hook system's keep-alive Pool for the endpoint's origin,
   * so deliveries reuse connections instead of opening one each); undici's global one when not given.
   */
  readonly dispatcher?: Dispatcher
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

/**
 * One signed POST of a hook body. Never throws: every failure is an Outcome with a reason that is
 * safe to show a client (it names no URL). Redirects are not followed (a receiver that moved must be
 * reconfigured, not guessed at), the answer is bounded in time and size. undici's `request` rather
 * than `fetch`: no WHATWG streams per request, and a dispatcher that keeps connections alive.
 */
export async function postSigned(url: string, options: PostOptions): Promise<Outcome> {
  if (!options.readBody && options.dispatcher) return postForStatus(url, options, options.dispatcher)
  // A blocking hook's whole exchange is bounded (the client waits for it).
  const signal = options.readBody ? AbortSignal.timeout(options.timeoutMs) : undefined
  const timedOut = `did not answer within ${options.timeoutMs} ms`
  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      method: 'POST',
      body: options.body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(signal ? { signal } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tusk-hooks',
        ...signedHeaders(options.sign, options.id, options.body),
      },
    })
  } catch (error) {
    const timeout = signal?.aborted === true || TIMEOUT_CODES.has(codeOf(error) ?? '')
    return {
      ok: false,
      retryable: true,
      gone: false,
      reason: timeout ? timedOut : `is unreachable (${causeOf(error)})`,
    }
  }
  const status = response.statusCode
  if (status >= 200 && status < 300 && options.readBody) {
    try {
      return { ok: true, status, text: await readLimited(response, MAX_RESPONSE_BYTES) }
    } catch (error) {
      const tooLarge = error instanceof TooLarge
      return {
        ok: false,
        retryable: !tooLarge,
        gone: false,
        reason: tooLarge
          ? `answered more than ${MAX_RESPONSE_BYTES} bytes`
          : signal?.aborted === true || TIMEOUT_CODES.has(codeOf(error) ?? '')
            ? timedOut
            : 'answer was cut off',
      }
    }
  }
  await discard(response)
  return outcomeOfStatus(status, header(response.headers['retry-after']))
}

/** What an answer's status (and Retry-After) says, when its body does not matter. */
function outcomeOfStatus(status: number, retryAfterValue: string | null): Outcome {
  if (status >= 200 && status < 300) return { ok: true, status, text: '' }
  if (status === 410) return { ok: false, retryable: false, gone: true, reason: 'answered 410 Gone' }
  const retryAfterMs = retryAfter(retryAfterValue)
  return {
    ok: false,
    retryable: true,
    gone: false,
    reason:
      status >= 300 && status < 400 ? `answered a redirect (${status}), not followed` : `answered ${status}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  }
}

/** An answer's body past this is not read: the connection is closed instead of reused. */
const DISCARD_LIMIT = 64 * 1024

/**
 * A delivery whose answer's status is all that matters, through undici's `dispatch` with a handler:
 * no response stream, promise chain or AbortSignal per attempt (33 vs 55 µs of CPU per 1 KiB POST
 * on loopback). The answer's head must come within the timeout, and its body must not stall longer.
 */
function postForStatus(url: string, options: PostOptions, dispatcher: Dispatcher): Promise<Outcome> {
  const target = targetOf(url)
  return new Promise<Outcome>((resolve) => {
    let status = 0
    let retryAfterValue: string | null = null
    let received = 0
    let abort: ((reason?: Error) => void) | undefined
    const outcome = () => outcomeOfStatus(status, retryAfterValue)
    dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        body: options.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'tusk-hooks',
          ...signedHeaders(options.sign, options.id, options.body),
        },
      },
      {
        onConnect(abortRequest: (reason?: Error) => void) {
          abort = abortRequest
        },
        onHeaders(statusCode: number, rawHeaders: Buffer[]) {
          status = statusCode
          for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
            if (String(rawHeaders[i]).toLowerCase() === 'retry-after')
              retryAfterValue = String(rawHeaders[i + 1])
          }
          return true
        },
        onData(chunk: Buffer) {
          received += chunk.length
          if (received > DISCARD_LIMIT) abort?.(new Error('answer too large'))
          return true
        },
        onComplete() {
          resolve(outcome())
        },
        onError(error: Error) {
          // The status was known when a too-large answer was cut off: it decides.
          if (status !== 0 && received > DISCARD_LIMIT) return resolve(outcome())
          resolve({
            ok: false,
            retryable: true,
            gone: false,
            reason: TIMEOUT_CODES.has(codeOf(error) ?? '')
              ? `did not answer within ${options.timeoutMs} ms`
              : status !== 0
                ? 'answer was cut off'
                : `is unreachable (${causeOf(error)})`,
          })
        },
      },
    )
  })
}

/** Endpoints are few and fixed: each URL is parsed once, not on every delivery. */
const targets = new Map<string, { readonly origin: string; readonly path: string }>()
function targetOf(url: string): { readonly origin: string; readonly path: string } {
  let target = targets.get(url)
  if (!target) {
    const parsed = new URL(url)
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
    if (targets.size >= 64) targets.clear()
    targets.set(url, target)
  }
  return target
}

/** The answer's body is not wanted: read a little of it so the connection can be reused, else drop it. */
async function discard(response: Dispatcher.ResponseData): Promise<void> {
  await response.body.dump({ limit: 16 * 1024 }).catch(() => {})
}

class TooLarge extends Error {}

async function readLimited(response: Dispatcher.ResponseData, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body) {
    size += (chunk as Buffer).byteLength
    if (size > limit) {
      response.body.destroy()
      throw new TooLarge()
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null

/** Retry-After in seconds or as an HTTP date, in ms (at most a day). */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now()
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(0, ms), 24 * 3_600_000)
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return codeOf(error) ?? cause?.message ?? (error as Error).message ?? 'network error'
}
