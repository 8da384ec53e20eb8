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
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 8,
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 0.5,
  maxRetryAfterMs: 120_000,
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
 * The delay before retry number `attempt` (0-based), or null when the error is final or retries are
 * used up. A server's `Retry-After` wins over the computed backoff.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  error: TuskUploadError,
  random: () => number = Math.random,
): number | null {
  if (!isRetryable(error) || attempt >= policy.maxRetries) return null
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.maxRetryAfterMs)
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** attempt)
  return Math.round(exponential * (1 - policy.jitter * random()))
}

export function resolveRetryPolicy(input: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (input === false) return { ...DEFAULT_RETRY_POLICY, maxRetries: 0 }
  return { ...DEFAULT_RETRY_POLICY, ...input }
}
