import { afterAll, beforeAll, onTestFinished } from 'vitest'

// This module is evaluated while the test file importing it is collected (vitest isolates every
// file), so the two hooks below are the file's own: the first beforeAll, which marks the end of
// collection, and an afterAll for what hooks started (an afterAll registered once the tests run
// would be dropped silently by vitest).
let collecting = true
const startedInHooks: (() => Promise<void> | void)[] = []
beforeAll(() => {
  collecting = false
})
afterAll(async () => {
  for (const close of startedInHooks.splice(0).reverse()) await close()
})

/**
 * Registers `close` right where a resource starts: after the current test when called inside one,
 * after the enclosing describe/file when called at collection time (top level or a describe body),
 * and at the end of the file when called in a hook (beforeAll/beforeEach outside a test).
 */
export function closeWhenDone(close: () => Promise<void> | void): void {
  try {
    onTestFinished(async () => {
      await close()
    })
    return
  } catch {
    // Not inside a test.
  }
  if (collecting) afterAll(async () => await close())
  else startedInHooks.push(close)
}
