import { Upload } from '@tus/utils'
import { describe, expect, it } from 'vitest'
import { resumePlan } from '../../src/stores/resume-plan.js'

// Where a streamed concatenation cut short continues: the partials before the bytes already written
// are skipped, the one the cut fell in is read from the middle.

const partial = (id: string, size: number) => new Upload({ id, size, offset: size })
const steps = (partials: Upload[], done: number) =>
  resumePlan(partials, done).map(({ partial, from, at }) => [partial.id, from, at])

describe('resumePlan', () => {
  const parts = [partial('a', 10), partial('empty', 0), partial('b', 5), partial('a', 10)]

  it('reads every non-empty partial from its start when nothing was written', () => {
    expect(steps(parts, 0)).toEqual([
      ['a', 0, 0],
      ['b', 0, 10],
      ['a', 0, 15],
    ])
  })

  it('reads the partial the cut fell in from the middle, and the rest whole', () => {
    expect(steps(parts, 12)).toEqual([
      ['b', 2, 12],
      ['a', 0, 15],
    ])
  })

  it('starts at the next partial when the cut fell on a boundary', () => {
    expect(steps(parts, 10)).toEqual([
      ['b', 0, 10],
      ['a', 0, 15],
    ])
  })

  it('has nothing left to read when every byte was written', () => {
    expect(steps(parts, 25)).toEqual([])
  })
})
