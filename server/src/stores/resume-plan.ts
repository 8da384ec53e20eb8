import type { Upload } from '@tus/utils'

/** Where a streamed concatenation continues: read `partial` from byte `from` on, appending at `at`. */
export interface ResumeStep {
  readonly partial: Upload
  readonly from: number
  readonly at: number
}

/**
 * The reads left to fill a final upload that already holds its first `done` bytes (the file and
 * Azure stores append the partials in order, so a cut assembly holds a prefix of the result): the
 * partials wholly before `done` are skipped, the one it falls in is read from the middle. Pure.
 */
export function resumePlan(partials: readonly Upload[], done: number): ResumeStep[] {
  const steps: ResumeStep[] = []
  let start = 0
  for (const partial of partials) {
    const size = partial.size ?? 0
    const end = start + size
    if (end > done && size > 0) {
      const from = Math.max(0, done - start)
      steps.push({ partial, from, at: start + from })
    }
    start = end
  }
  return steps
}
