import { afterAll, beforeAll, onTestFinished } from 'vitest'

// Whether the test file is still being collected (its top level and describe bodies running). This
// module is evaluated while the file that imports it is collected (vitest isolates every file), so
// the hook below is the file's first beforeAll: once it has run, the tests and hooks are running
// and an afterAll registered then would be silently dropped by vitest.
let collecting = true
beforeAll(() => {
  collecting = false
})

/**
 * Registers `close` right where a resource starts: after the current test when called inside one,
 * after the enclosing describe/file when called at collection time (top level or a describe body).
 * Anywhere else (a beforeAll) there is nothing to attach to: it throws, rather than leak the
 * resource; return the close from the hook instead (see useTusk).
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
  if (!collecting) {
    throw new Error(
      'started in a hook: start it at the top level, in a describe body or in a test, or return its ' +
        'close from the hook',
    )
  }
  afterAll(async () => {
    await close()
  })
}
