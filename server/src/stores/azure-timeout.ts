/**
 * Longest wait for one Azure call to be answered (its response headers; a download's body streams on
 * without a limit), retries included. The Azure SDK has no client-side timeout of its own: a service
 * that accepts connections and never answers (paused, overloaded, a black-holed route) held every
 * request until the client gave up. Enough for one 4 MiB append at 300 KB/s.
 */
export const AZURE_CALL_TIMEOUT_MS = 15_000

/**
 * Runs one Azure SDK call with an abort signal that fires after `ms`, and turns that abort into an
 * error with code ETIMEDOUT (failures.ts: 503 with Retry-After; 423 on an offset read).
 */
export async function withinTimeout<T>(
  call: (options: { abortSignal: AbortSignal }) => Promise<T>,
  ms = AZURE_CALL_TIMEOUT_MS,
): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), ms)
  try {
    return await call({ abortSignal: controller.signal })
  } catch (error) {
    if (!controller.signal.aborted) throw error
    throw Object.assign(
      new Error(`Azure Blob Storage did not answer within ${ms / 1000} s`, { cause: error }),
      {
        code: 'ETIMEDOUT',
      },
    )
  } finally {
    clearTimeout(timer)
  }
}
