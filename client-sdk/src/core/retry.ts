import type { TuskUploadError } from './errors.js'

export interface RetryPolicy {
  /** Retries after consecutive failures (the count restarts whenever the server's offset advances). */
  maxRetries: number
  /** Delay before the first retry, in milliseconds. */
  baseDelayMs: number
  /** Growth per retry (2 doubles the delay each time). */
  factor: number
  /** Upper bound for one computed delay. */
  maxDelayMs: number
  /** Random spread: the delay is drawn from [delay × (1 − jitter), delay]. 0 disables jitter. */
  jitter: number
  /** Upper bound for a server's `Retry-After`, so a bad header cannot stall an upload for hours. */
  maxRetryAfterMs: number
  /**
   * How long to keep trying a server that has not answered once (no answer with `Tus-Resumable`
   * yet: refused, unknown, or only a proxy's error page), counted from the start. A server that
   * answered and then went away gets the full `maxRetries` instead: that is a restart or a blip.
   */
  unreachedBudgetMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 8,
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 0.5,
  maxRetryAfterMs: 120_000,
  unreachedBudgetMs: 25_000,
}

/** Where an upload stands when a request fails: has the tus server answered at all, and since when. */
export interface RetryContext {
  /** A tus server has answered at least once during this upload. */
  reached: boolean
  /** Milliseconds since the upload started. */
  elapsedMs: number
}

/**
 * Which failures are worth another attempt. Network errors, 423 (locked), 429 (rate limited) and
 * 5xx are transient. Two 4xx are retried as well because every retry starts with a HEAD that
 * re-reads the server's offset, which is exactly their remedy: 409 (our offset was stale, e.g. a
 * lost PATCH answer) and 460 (the chunk arrived corrupted and was discarded). Every other 4xx is
 * final: sending the same request again cannot succeed.
 */
export function isRetryable(error: TuskUploadError): boolean {
  switch (error.code) {
    case 'network':
      return error.transient !== false // not for an unknown host name or a refused certificate
    case 'server':
    case 'locked':
    case 'rate_limited':
    case 'offset_mismatch':
    case 'checksum_mismatch':
      return true
    default:
      return false
  }
}

/**
 * The delay before retry number `attempt` (0-based), or null when the error is final, retries are
 * used up, or (for a server never reached) the next attempt would start after `unreachedBudgetMs`.
 * A server's `Retry-After` wins over the computed backoff.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  error: TuskUploadError,
  random: () => number = Math.random,
  context: RetryContext = { reached: true, elapsedMs: 0 },
): number | null {
  if (!isRetryable(error) || attempt >= policy.maxRetries) return null
  let delay: number
  if (error.retryAfterMs !== undefined) delay = Math.min(error.retryAfterMs, policy.maxRetryAfterMs)
  else {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** attempt)
    delay = Math.round(exponential * (1 - policy.jitter * random()))
  }
  if (!context.reached && context.elapsedMs + delay > policy.unreachedBudgetMs) return null
  return delay
}

export function resolveRetryPolicy(input: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (input === false) return { ...DEFAULT_RETRY_POLICY, maxRetries: 0 }
  return { ...DEFAULT_RETRY_POLICY, ...input }
}
