import { PLAN } from './plan.mjs'
import { max, median, min } from './stats.mjs'

export { size } from './units.mjs'

/** Column order of the result table: the baselines first, Tusk last. */
export const CONTENDER_ORDER = ['raw', 'multer', 'plain', 'tusk']
const LABELS = { raw: 'raw pipe', multer: 'express+multer', plain: 'plain @tus/server', tusk: 'Tusk' }

/** Oriented so that above 1.0 always means Tusk did better than the baseline on that repetition. */
export function ratioOf(metric, tusk, base) {
  return metric.better === 'higher' ? tusk / base : base / tusk
}

const fmt = (value, digits) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : String(value)
const spread = (values, digits) =>
  values.length > 1
    ? `${fmt(median(values), digits)} (${fmt(min(values), digits)}–${fmt(max(values), digits)})`
    : fmt(values[0], digits)

/** One progress line for a repetition of a workload: each contender's figures and Tusk's ratios. */
export function progressLine(workload, rep, pair) {
  const metrics = PLAN[workload].metrics
  const parts = metrics.map((m) => {
    const scale = m.scale ?? 1
    const values = Object.entries(pair).map(([c, r]) => `${c} ${fmt(r[m.key] * scale, m.digits)}`)
    return `${m.key} ${values.join(' ')}`
  })
  return `  rep ${rep + 1} ${workload.padEnd(11)} ${parts.join('; ')}`
}

/**
 * A Markdown table: for each workload and figure, every contender's median (min–max) over the
 * repetitions, and Tusk's per-repetition ratio to each baseline (median, min–max).
 */
export function resultTable(results, options) {
  const bases = CONTENDER_ORDER.filter((c) => c !== 'tusk')
  const lines = [
    `| workload | ${CONTENDER_ORDER.map((c) => LABELS[c]).join(' | ')} | ${bases.map((b) => `Tusk vs ${LABELS[b]}`).join(' | ')} |`,
    `|---|${CONTENDER_ORDER.map(() => '---:').join('|')}|${bases.map(() => '---:').join('|')}|`,
  ]
  for (const [workload, reps] of Object.entries(results)) {
    if (!reps || reps.length === 0) continue
    const plan = PLAN[workload]
    plan.metrics.forEach((metric, i) => {
      const scale = metric.scale ?? 1
      const label = i === 0 ? `**${workload}**: ${plan.title(options)}, ${metric.label}` : `… ${metric.label}`
      const cells = CONTENDER_ORDER.map((c) =>
        reps[0][c]
          ? spread(
              reps.map((r) => r[c][metric.key] * scale),
              metric.digits,
            )
          : '—',
      )
      const ratios = bases.map((b) =>
        reps[0][b] && reps[0].tusk
          ? `${spread(
              reps.map((r) => ratioOf(metric, r.tusk[metric.key], r[b][metric.key])),
              2,
            )}×`
          : '—',
      )
      lines.push(`| ${label} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`)
    })
  }
  return lines.join('\n')
}

/** The crowd workloads' outcomes (what each client saw), summed over repetitions. */
export function outcomeLines(results) {
  const lines = []
  for (const workload of ['crowd-3k', 'crowd-5k']) {
    for (const [rep, pair] of (results[workload] ?? []).entries()) {
      for (const [contender, r] of Object.entries(pair)) {
        const outcomes = Object.entries(r.outcomes ?? {})
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')
        lines.push(`  ${workload} rep ${rep + 1} ${LABELS[contender]}: ${outcomes}`)
      }
    }
  }
  return lines
}
