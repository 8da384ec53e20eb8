import type { CheckResult, Status } from './types.js'

/**
 * A committed record of how a server is known to do: the ids it fails and the ids it skips;
 * every other check is expected to pass. A regression fails, and so does a fix until the file
 * is updated, so the record never goes stale.
 */
export interface Expectations {
  $comment?: string
  fail: string[]
  skip: string[]
}

export interface Mismatch {
  id: string
  expected: Status
  actual: Status
  reason?: string
}

export function parseExpectations(json: string): Expectations {
  const value = JSON.parse(json) as Partial<Expectations>
  const isList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')
  if (!isList(value.fail) || !isList(value.skip)) {
    throw new Error('an expectations file needs "fail" and "skip" arrays of check ids')
  }
  return { ...(value.$comment ? { $comment: value.$comment } : {}), fail: value.fail, skip: value.skip }
}

export function expectedStatus(expectations: Expectations, id: string): Status {
  if (expectations.fail.includes(id)) return 'fail'
  if (expectations.skip.includes(id)) return 'skip'
  return 'pass'
}

/** Every check whose result differs from the expectations (only checks that ran are compared). */
export function compareWithExpectations(results: CheckResult[], expectations: Expectations): Mismatch[] {
  return results.flatMap((r) => {
    const expected = expectedStatus(expectations, r.id)
    return expected === r.status
      ? []
      : [{ id: r.id, expected, actual: r.status, ...(r.reason ? { reason: r.reason } : {}) }]
  })
}

/** The expectations that would make `results` match exactly (for recording a server's state). */
export function expectationsFrom(results: CheckResult[], comment?: string): Expectations {
  return {
    ...(comment ? { $comment: comment } : {}),
    fail: results.filter((r) => r.status === 'fail').map((r) => r.id),
    skip: results.filter((r) => r.status === 'skip').map((r) => r.id),
  }
}
