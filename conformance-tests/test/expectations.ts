import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type ConformanceReport, compareWithExpectations, parseExpectations } from '../src/index.js'

/** Loads a committed expectation file from conformance-tests/expectations/. */
export function loadExpectations(name: string) {
  return parseExpectations(readFileSync(path.join(import.meta.dirname, '..', 'expectations', name), 'utf8'))
}

/** Differences between a run and an expectation file, with each failure's reason for the test output. */
export function differences(report: ConformanceReport, name: string) {
  return compareWithExpectations(report.results, loadExpectations(name)).map(
    (m) => `${m.id}: expected ${m.expected}, got ${m.actual}${m.reason ? ` (${m.reason})` : ''}`,
  )
}
