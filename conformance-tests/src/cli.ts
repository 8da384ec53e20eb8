#!/usr/bin/env node
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { compareWithExpectations, expectationsFrom, parseExpectations } from './expectations.js'
import { NotATusServer } from './identify.js'
import { formatDiscovery, formatMismatches, formatResult, formatSummary, toJUnit } from './report.js'
import { runConformance } from './run.js'
import { type AuthTokens, IETF_VERSIONS, type IetfVersion } from './types.js'

const USAGE = `usage: tusk-conformance <url> [--header 'Name: value']… [--json out.json] [--junit out.xml]
                        [--expect expectations.json] [--write-expect out.json] [--only group,…]
                        [--token-a JWT --token-b JWT | --tokens-command "<cmd>"] [--ietf [9|8|6]]
Runs the tus 1.0.0 conformance checks against a tus creation URL, e.g. http://127.0.0.1:1080/files.
With two owners' tokens (--token-a/--token-b, or a command printing them on two lines) every check
runs as owner A and the auth group checks 401 without a token and 404 for owner B on A's uploads;
without them the auth group is reported not applicable.
--ietf adds the ietf group: the IETF draft "Resumable Uploads for HTTP" in interop 9, 8 or 6 (without
a number: the newest the server answers OPTIONS in). --only ietf runs that group alone.
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

/** Two owners' tokens from --token-a/--token-b or --tokens-command, or none; a usage error otherwise. */
function readTokens(values: { 'token-a'?: string; 'token-b'?: string; 'tokens-command'?: string }) {
  const { 'token-a': a, 'token-b': b, 'tokens-command': command } = values
  if (command !== undefined) {
    if (a !== undefined || b !== undefined)
      fail('give --token-a and --token-b, or --tokens-command, not both')
    let output: string
    try {
      output = execFileSync('/bin/sh', ['-c', command], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    } catch (error) {
      fail(`--tokens-command failed: ${(error as Error).message.split('\n')[0]}`)
    }
    const lines = output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
    if (lines.length !== 2)
      fail(`--tokens-command must print two tokens on two lines, printed ${lines.length} lines`)
    return checkTokens({ a: lines[0] as string, b: lines[1] as string })
  }
  if ((a === undefined) !== (b === undefined))
    fail('--token-a and --token-b go together (two different owners)')
  return a === undefined || b === undefined ? undefined : checkTokens({ a, b })
}

function checkTokens(tokens: AuthTokens): AuthTokens {
  for (const token of [tokens.a, tokens.b]) {
    if (!/^[\x21-\x7e]+$/.test(token))
      fail('a token must be one word of visible characters (no "Bearer ", no spaces)')
  }
  if (tokens.a === tokens.b) fail('token A and token B are the same: give tokens of two different owners')
  return tokens
}

/**
 * `--ietf` takes an optional version, which parseArgs cannot express: `--ietf 9` and `--ietf=9` name
 * one, a bare `--ietf` (followed by an option, the URL or nothing) means the newest the server speaks.
 */
function normaliseIetfFlag(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg !== '--ietf') {
      out.push(arg)
      continue
    }
    const next = argv[i + 1]
    if (next !== undefined && /^\d+$/.test(next)) {
      out.push(`--ietf=${next}`)
      i++
    } else out.push('--ietf=newest')
  }
  return out
}

function readIetf(value: string | undefined): IetfVersion | 'newest' | undefined {
  if (value === undefined || value === 'newest') return value
  const version = Number(value)
  if (!(IETF_VERSIONS as readonly number[]).includes(version))
    fail(`--ietf ${value}: the suite checks interop ${IETF_VERSIONS.join(', ')}`)
  return version as IetfVersion
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>
  const parse = () =>
    parseArgs({
      args: normaliseIetfFlag(process.argv.slice(2)),
      allowPositionals: true,
      options: {
        ietf: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        json: { type: 'string' },
        junit: { type: 'string' },
        expect: { type: 'string' },
        'write-expect': { type: 'string' },
        only: { type: 'string' },
        'token-a': { type: 'string' },
        'token-b': { type: 'string' },
        'tokens-command': { type: 'string' },
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
  const tokens = readTokens(values)
  const ietf = readIetf(values.ietf)
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
    ...(tokens ? { tokens } : {}),
    ...(ietf ? { ietf } : {}),
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
