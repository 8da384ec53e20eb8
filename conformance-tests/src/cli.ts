#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { compareWithExpectations, expectationsFrom, parseExpectations } from './expectations.js'
import { NotATusServer } from './identify.js'
import { formatDiscovery, formatMismatches, formatResult, formatSummary, toJUnit } from './report.js'
import { runConformance } from './run.js'

const USAGE = `usage: tusk-conformance <url> [--header 'Name: value']… [--json out.json] [--junit out.xml]
                        [--expect expectations.json] [--write-expect out.json] [--only group,…]
Runs the tus 1.0.0 conformance checks against a tus creation URL, e.g. http://127.0.0.1:1080/files.
--json - (or --junit -) writes that report to stdout; the per-check lines then go to stderr.
Exit status: 0 when nothing failed (with --expect: when results match the file), 1 otherwise,
2 on usage errors or when no tus server answers at the URL.`

/** A mistake on the command line: the message and the usage, exit 2. */
function fail(message: string): never {
  process.stderr.write(`tusk-conformance: ${message}\n${USAGE}\n`)
  process.exit(2)
}

/** The URL cannot be tested (nothing answers, or not a tus server): one line, exit 2. */
function cannotTest(message: string): never {
  process.stderr.write(`tusk-conformance: ${message}\n`)
  process.exit(2)
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>
  const parse = () =>
    parseArgs({
      allowPositionals: true,
      options: {
        header: { type: 'string', short: 'H', multiple: true },
        json: { type: 'string' },
        junit: { type: 'string' },
        expect: { type: 'string' },
        'write-expect': { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  try {
    parsed = parse()
  } catch (error) {
    fail((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const [url, ...extra] = positionals
  if (!url || extra.length > 0) fail('expected exactly one URL')
  if (!/^https?:\/\//.test(url)) fail(`not an http(s) URL: ${url}`)
  const headers: Record<string, string> = {}
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':')
    if (colon <= 0) fail(`--header must look like 'Name: value', got '${header}'`)
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim()
  }
  const expectations = values.expect ? parseExpectations(readFileSync(values.expect, 'utf8')) : undefined
  if (values.json === '-' && values.junit === '-')
    fail('only one of --json and --junit can write to stdout (-)')
  // A report on stdout must be the only thing there: the lines for people move to stderr.
  const toStdout = values.json === '-' || values.junit === '-'
  const human = toStdout ? process.stderr : process.stdout
  const write = (file: string, text: string) =>
    file === '-' ? process.stdout.write(text) : writeFileSync(file, text)

  const report = await runConformance({
    url,
    headers,
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    onResult: (result) => human.write(`${formatResult(result)}\n`),
  }).catch((error: Error) =>
    cannotTest(
      error instanceof NotATusServer
        ? error.message
        : `cannot reach ${url}: ${error.message.split(' -> ').at(-1)}; is the server running?`,
    ),
  )

  human.write(`\n${formatDiscovery(report)}\n${formatSummary(report)}\n`)
  if (values.json) write(values.json, `${JSON.stringify(report, null, 2)}\n`)
  if (values.junit) write(values.junit, toJUnit(report))
  if (values['write-expect']) {
    writeFileSync(values['write-expect'], `${JSON.stringify(expectationsFrom(report.results), null, 2)}\n`)
  }
  if (expectations) {
    const mismatches = compareWithExpectations(report.results, expectations)
    human.write(`${formatMismatches(mismatches)}\n`)
    return mismatches.length === 0 ? 0 : 1
  }
  return report.failed === 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: Error) => fail(error.message),
)
