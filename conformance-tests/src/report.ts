import type { Mismatch } from './expectations.js'
import type { CheckResult, ConformanceReport } from './types.js'

/** One line per check; a failure adds what was sent and what came back, indented below it. */
export function formatResult(r: CheckResult): string {
  const head = `${r.status.toUpperCase().padEnd(4)} ${r.id} [${r.level}] ${r.rule}`
  if (r.status === 'skip') return `${head} (${r.reason})`
  if (r.status === 'pass') return r.note ? `${head} (${r.note})` : head
  const lines = [head, `       why:  ${r.reason}`]
  for (const e of r.exchanges) lines.push(`       sent: ${e.request}`, `       got:  ${e.response}`)
  return lines.join('\n')
}

export function formatSummary(report: ConformanceReport): string {
  const skips = report.skipped > 0 ? `, ${report.skipped} skipped` : ''
  return `${report.passed} passed, ${report.failed} failed${skips}`
}

function formatIetf(report: ConformanceReport): string[] {
  const ietf = report.ietf
  if (!ietf) return []
  const answered = `answers OPTIONS in interop ${ietf.answered.join(', ') || '(none)'}`
  return [
    ietf.version === undefined
      ? `IETF draft: not checked (${ietf.reason ?? answered})`
      : `IETF draft: checked in interop ${ietf.version}; the server ${answered}`,
  ]
}

export function formatDiscovery(report: ConformanceReport): string {
  const d = report.discovery
  return [
    `tus conformance: ${report.url}`,
    `OPTIONS ${d.status}: Tus-Version ${d.tusVersion ?? '(none)'}; extensions: ${d.extensions.join(', ') || '(none)'}` +
      (d.maxSize !== undefined ? `; Tus-Max-Size ${d.maxSize}` : '') +
      (d.checksumAlgorithms.length > 0 ? `; checksums: ${d.checksumAlgorithms.join(', ')}` : ''),
    ...formatIetf(report),
  ].join('\n')
}

export function formatMismatches(mismatches: Mismatch[]): string {
  if (mismatches.length === 0) return 'results match the expectations'
  return [
    `${mismatches.length} result(s) differ from the expectations:`,
    ...mismatches.map((m) =>
      m.expected === 'fail' && m.actual === 'pass'
        ? `  ${m.id}: expected to fail, now passes (remove it from the expectations)`
        : `  ${m.id}: expected ${m.expected}, got ${m.actual}${m.reason ? ` (${m.reason})` : ''}`,
    ),
  ].join('\n')
}

/** Escapes text for XML; control characters other than tab and newlines are not allowed in XML 1.0. */
const xml = (s: string) =>
  [...s]
    .map((c) => {
      const code = c.charCodeAt(0)
      if (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') return '?'
      return '<>&"\''.includes(c) ? `&#${code};` : c
    })
    .join('')

/** JUnit XML: one testsuite per group, one testcase per check, for CI dashboards. */
export function toJUnit(report: ConformanceReport): string {
  const groups = new Map<string, CheckResult[]>()
  for (const r of report.results) groups.set(r.group, [...(groups.get(r.group) ?? []), r])
  const suites = [...groups].map(([name, results]) => {
    const cases = results.map((r) => {
      const open = `    <testcase classname="tus.${xml(r.group)}" name="${xml(`${r.id}: ${r.rule}`)}" time="${(r.durationMs / 1000).toFixed(3)}"`
      if (r.status === 'pass') return `${open}/>`
      if (r.status === 'skip')
        return `${open}>\n      <skipped message="${xml(r.reason ?? '')}"/>\n    </testcase>`
      const detail = r.exchanges.map((e) => `sent: ${e.request}\ngot:  ${e.response}`).join('\n')
      return `${open}>\n      <failure message="${xml(r.reason ?? '')}">${xml(detail)}</failure>\n    </testcase>`
    })
    const failures = results.filter((r) => r.status === 'fail').length
    const skipped = results.filter((r) => r.status === 'skip').length
    return `  <testsuite name="${xml(name)}" tests="${results.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tusk-conformance" tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}">\n${suites.join('\n')}\n</testsuites>\n`
}
