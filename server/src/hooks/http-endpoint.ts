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
}

/**
 * One signed POST of a hook body. Never throws: every failure is an Outcome with a reason that is
 * safe to show a client (it names no URL). Redirects are not followed (a receiver that moved must be
 * reconfigured, not guessed at), the answer is bounded in time and size.
 */
export async function postSigned(url: string, options: PostOptions): Promise<Outcome> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      body: options.body,
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'tusk-hooks',
        ...signedHeaders(options.sign, options.id, options.body),
      },
    })
  } catch (error) {
    const timedOut = signal.aborted
    return {
      ok: false,
      retryable: true,
      gone: false,
      reason: timedOut
        ? `did not answer within ${options.timeoutMs} ms`
        : `is unreachable (${causeOf(error)})`,
    }
  }
  const status = response.status
  if (status >= 200 && status < 300) {
    if (!options.readBody) {
      await response.body?.cancel().catch(() => {})
      return { ok: true, status, text: '' }
    }
    try {
      return { ok: true, status, text: await readLimited(response, MAX_RESPONSE_BYTES) }
    } catch (error) {
      return {
        ok: false,
        retryable: !(error instanceof TooLarge),
        gone: false,
        reason:
          error instanceof TooLarge ? `answered more than ${MAX_RESPONSE_BYTES} bytes` : 'answer was cut off',
      }
    }
  }
  await response.body?.cancel().catch(() => {})
  if (status === 410) return { ok: false, retryable: false, gone: true, reason: 'answered 410 Gone' }
  const retryAfterMs = retryAfter(response.headers.get('retry-after'))
  const reason =
    status >= 300 && status < 400 ? `answered a redirect (${status}), not followed` : `answered ${status}`
  return {
    ok: false,
    retryable: true,
    gone: false,
    reason,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  }
}

class TooLarge extends Error {}

async function readLimited(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw new TooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Retry-After in seconds or as an HTTP date, in ms (at most a day). */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now()
  if (!Number.isFinite(ms)) return undefined
  return Math.min(Math.max(0, ms), 24 * 3_600_000)
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error as Error).message ?? 'network error'
}
