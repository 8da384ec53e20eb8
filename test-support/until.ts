import { setTimeout as sleep } from 'node:timers/promises'

type Falsy = false | 0 | '' | null | undefined

/**
 * Polls `condition` (every 20 ms unless told) until it returns something truthy, and returns that. A condition
 * that throws counts as "not yet" (a port not answering, a file not written yet); after `timeoutMs`
 * it fails naming `description`, with the last error if there was one. `intervalMs` spaces out
 * conditions that are costly to ask (a child process per attempt).
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  timeoutMs: number,
  description: string,
  { intervalMs = 20 }: { intervalMs?: number } = {},
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value as Exclude<T, Falsy>
      lastError = undefined
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last attempt: ${String(lastError)})`
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`)
    }
    await sleep(intervalMs)
  }
}
