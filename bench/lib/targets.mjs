import { median } from './stats.mjs'

/**
 * Issue 16's targets, each computed per repetition from the figures of one run (so that Tusk and the
 * contender it is compared with ran back to back) and judged on the median over repetitions.
 * `value(results, rep)` returns the figure of repetition `rep`, or undefined when a workload it needs
 * did not run. (The 64 MiB checksum target is printed by bench/checksum-parallel.mjs, the auth and
 * metrics ones by bench/features.mjs.)
 */
const per = (workload, f) => (results, rep) => {
  const r = results[workload]?.[rep]
  return r ? f(r) : undefined
}
const KiB = 2 ** 10
const MiB = 2 ** 20

export const TARGETS = [
  {
    name: 'small-vs-multer',
    unit: '×',
    op: '>=',
    need: 1.0,
    value: per('small', (r) => r.tusk.rate / r.multer.rate),
  },
  {
    name: 'small-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.5,
    value: per('small', (r) => r.tusk.rate / r.raw.rate),
  },
  {
    name: 'small-p99-vs-multer',
    unit: '×',
    op: '<=',
    need: 0.7,
    value: per('small', (r) => r.tusk.p99 / r.multer.p99),
  },
  {
    name: 'small-cpu-per-upload',
    unit: ' µs',
    op: '<=',
    need: 200,
    value: per('small', (r) => r.tusk.cpuUs),
  },
  {
    name: 'small-64k-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.65,
    value: per('small-64k', (r) => r.tusk.rate / r.raw.rate),
  },
  {
    name: 'chunked-vs-single-patch',
    unit: '×',
    op: '>=',
    need: 0.9,
    value: (results, rep) => {
      const chunked = results['patch-8m']?.[rep]
      const single = results['patch-1']?.[rep]
      return chunked && single ? chunked.tusk.mbps / single.tusk.mbps : undefined
    },
  },
  {
    name: 'slow-memory-per-upload',
    unit: ' KiB',
    op: '<=',
    need: 70,
    value: per('slow', (r) => r.tusk.perUpload / KiB),
  },
  {
    name: 'slow-idle-rss',
    unit: ' MiB',
    op: '<=',
    need: 60,
    value: per('slow', (r) => r.tusk.idleRss / MiB),
  },
  {
    name: 'crowd-3k-time-vs-raw',
    unit: '×',
    op: '<=',
    need: 1.15,
    // An unfinished crowd has no finishing time to compare: count it as failed.
    value: per('crowd-3k', (r) =>
      r.tusk.completedShare < 1 ? Number.POSITIVE_INFINITY : r.tusk.seconds / r.raw.seconds,
    ),
  },
  {
    name: 'crowd-5k-completed-vs-raw',
    unit: '×',
    op: '>=',
    need: 1.0,
    value: per('crowd-5k', (r) => r.tusk.completed / Math.max(1, r.raw.completed)),
  },
  {
    name: 'crowd-5k-bad-refusals',
    unit: '',
    op: '<=',
    need: 0,
    value: per('crowd-5k', (r) => r.tusk.badRefusals),
  },
  {
    name: 'crowd-3k-bad-refusals',
    unit: '',
    op: '<=',
    need: 0,
    value: per('crowd-3k', (r) => r.tusk.badRefusals),
  },
  {
    name: 'get-small-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.8,
    value: per('get-small', (r) => r.tusk.rate / r.raw.rate),
  },
  {
    name: 'range-small-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.8,
    value: per('range-small', (r) => r.tusk.rate / r.raw.rate),
  },
  { name: 'ttfb-p99', unit: ' ms', op: '<=', need: 200, value: per('ttfb', (r) => r.tusk.ttfbP99) },
  {
    name: 'get-big-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.9,
    value: per('get-big', (r) => r.tusk.mbps / r.raw.mbps),
  },
  {
    name: 'range-big-vs-raw',
    unit: '×',
    op: '>=',
    need: 0.9,
    value: per('range-big', (r) => r.tusk.mbps / r.raw.mbps),
  },
]

/** `target <name>: <value> (need <op> <x>) PASS/FAIL` for every target whose workloads ran. */
export function targetLines(results) {
  const lines = []
  for (const target of TARGETS) {
    const values = []
    for (let rep = 0; ; rep++) {
      const v = target.value(results, rep)
      if (v === undefined) break
      values.push(v)
    }
    if (values.length === 0) continue
    const value = median(values)
    const pass = target.op === '>=' ? value >= target.need : value <= target.need
    const digits = target.unit === '×' ? 2 : target.unit === '' ? 0 : 1
    const spread = values.length > 1 ? ` (reps ${values.map((v) => v.toFixed(digits)).join(', ')})` : ''
    lines.push(
      `target ${target.name}: ${value.toFixed(digits)}${target.unit} (need ${target.op} ${target.need}${target.unit})${spread} ${pass ? 'PASS' : 'FAIL'}`,
    )
  }
  return lines
}
