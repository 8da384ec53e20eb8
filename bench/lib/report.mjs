import { max, median, min } from './stats.mjs'

/**
 * The rows of the result table. `better` says which direction wins, so that every ratio reads the
 * same way: above 1.0 means Tusk did better than plain @tus/server on that repetition.
 */
export const METRICS = [
  {
    workload: 'patch-1',
    key: 'mbps',
    label: (o) => `${size(o.bigSize)} as one PATCH, MB/s`,
    better: 'higher',
    digits: 0,
  },
  {
    workload: 'patch-1',
    key: 'cpuPerGiB',
    label: () => '… server CPU per GiB, s',
    better: 'lower',
    digits: 2,
  },
  {
    workload: 'patch-8m',
    key: 'mbps',
    label: (o) => `${size(o.bigSize)} as ${size(o.chunkSize)} PATCHes, MB/s`,
    better: 'higher',
    digits: 0,
  },
  {
    workload: 'patch-8m',
    key: 'cpuPerGiB',
    label: () => '… server CPU per GiB, s',
    better: 'lower',
    digits: 2,
  },
  {
    workload: 'small',
    key: 'rate',
    label: (o) => `${size(o.smallSize)} creation-with-upload, c=${o.concurrency}, uploads/s`,
    better: 'higher',
    digits: 0,
  },
  { workload: 'small', key: 'p50', label: () => '… latency p50, ms', better: 'lower', digits: 1 },
  { workload: 'small', key: 'p99', label: () => '… latency p99, ms', better: 'lower', digits: 1 },
  { workload: 'small', key: 'cpuUs', label: () => '… server CPU per upload, µs', better: 'lower', digits: 0 },
  {
    workload: 'slow',
    key: 'idleRss',
    label: () => '… server RSS before, MiB (not a target)',
    better: 'lower',
    digits: 0,
    scale: 2 ** -20,
  },
  {
    workload: 'slow',
    key: 'peakRss',
    label: (o) => `${o.slowCount} concurrent slow uploads: peak RSS, MiB`,
    better: 'lower',
    digits: 0,
    scale: 2 ** -20,
  },
]

export function size(bytes) {
  for (const [unit, n] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ]) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`
  }
  return `${bytes} B`
}

export function ratioOf(metric, tusk, plain) {
  return metric.better === 'higher' ? tusk / plain : plain / tusk
}

const fmt = (value, digits) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const spread = (values, digits) =>
  values.length > 1
    ? `${fmt(median(values), digits)} (${fmt(min(values), digits)}–${fmt(max(values), digits)})`
    : fmt(values[0], digits)

/** A Markdown table: medians over repetitions with min–max, and the per-repetition ratios. */
export function resultTable(results, options) {
  const lines = [
    '| workload | plain @tus/server | Tusk | Tusk vs plain (per-rep ratio) |',
    '|---|---:|---:|---:|',
  ]
  for (const metric of METRICS) {
    const reps = results[metric.workload]
    if (!reps || reps.length === 0) continue
    const scale = metric.scale ?? 1
    const plain = reps.map((r) => r.plain[metric.key] * scale)
    const tusk = reps.map((r) => r.tusk[metric.key] * scale)
    const ratios = reps.map((r) => ratioOf(metric, r.tusk[metric.key], r.plain[metric.key]))
    lines.push(
      `| ${metric.label(options)} | ${spread(plain, metric.digits)} | ${spread(tusk, metric.digits)} | ${spread(ratios, 2)}× |`,
    )
  }
  return lines.join('\n')
}
