import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReferenceServer } from './reference-server/server.js'

// The CLI as users run it: the installed bin over the compiled code (npm test builds first), in its own process.
const CLI = path.join(import.meta.dirname, '..', 'bin', 'tusk-conformance.js')

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { timeout: 30_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

describe('the tusk-conformance CLI', () => {
  let good: Awaited<ReturnType<typeof startReferenceServer>>
  let broken: Awaited<ReturnType<typeof startReferenceServer>>
  let dir: string
  beforeAll(async () => {
    const compiled = path.join(import.meta.dirname, '..', 'dist', 'cli.js')
    expect(existsSync(compiled), `${compiled} is missing: run "npx tsc -b" (npm test does) first`).toBe(true)
    good = await startReferenceServer()
    broken = await startReferenceServer(['noCacheControl'])
    dir = await mkdtemp(path.join(tmpdir(), 'tusk-conformance-cli-'))
  })
  afterAll(async () => {
    await Promise.all([good.close(), broken.close(), rm(dir, { recursive: true, force: true })])
  })

  it('prints one line per check and the summary "N passed, M failed", and exits 0 when nothing failed', async () => {
    const { code, stdout } = await cli([good.url, '--only', 'core,termination'])
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^PASS core\.head\.cache-control \[MUST\] HEAD responses carry Cache-Control: no-store$/m,
    )
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m)
  })

  it('exits 1 on a failure and shows what was sent and what came back', async () => {
    const { code, stdout } = await cli([broken.url, '--only', 'core.head'])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^FAIL core\.head\.cache-control /m)
    expect(stdout).toMatch(/^ {7}sent: HEAD \/files\/[0-9a-f]+ \{.*Tus-Resumable: 1\.0\.0/m)
    expect(stdout).toMatch(/^ {7}got: {2}200 OK \{/m)
    expect(stdout).toMatch(/^\d+ passed, 1 failed$/m)
  })

  it('with --expect, exits 0 when the results match and reports a check that now passes', async () => {
    const expectations = path.join(dir, 'expect.json')
    await writeFile(expectations, JSON.stringify({ fail: ['core.head.cache-control'], skip: [] }))
    expect((await cli([broken.url, '--only', 'core.head', '--expect', expectations])).code).toBe(0)
    const fixed = await cli([good.url, '--only', 'core.head', '--expect', expectations])
    expect(fixed.code).toBe(1)
    expect(fixed.stdout).toContain('core.head.cache-control: expected to fail, now passes')
  })

  it('sends --header on every request and writes --json and --junit reports', async () => {
    const json = path.join(dir, 'out.json')
    const junit = path.join(dir, 'out.xml')
    const { code } = await cli([
      broken.url,
      '-H',
      'X-Tenant: acme',
      '--only',
      'core.head',
      '--json',
      json,
      '--junit',
      junit,
    ])
    expect(code).toBe(1)
    const report = JSON.parse(await readFile(json, 'utf8'))
    expect(report.failed).toBe(1)
    const failure = report.results.find((r: { id: string }) => r.id === 'core.head.cache-control')
    expect(failure.exchanges.at(-1).request).toContain('X-Tenant: acme')
    const xml = await readFile(junit, 'utf8')
    expect(xml).toMatch(/<testsuite name="core" tests="\d+" failures="1" skipped="0">/)
    expect(xml).toContain('<failure message="Cache-Control is')
  })

  it('exits 2 with usage on bad arguments', async () => {
    expect((await cli([])).code).toBe(2)
    expect((await cli(['not-a-url'])).code).toBe(2)
  })

  it('exits 2 with one line when nothing answers at the URL', async () => {
    const down = await cli(['http://127.0.0.1:9/files'])
    expect(down.code).toBe(2)
    expect(down.stdout).toBe('')
    expect(down.stderr).toMatch(
      /^tusk-conformance: cannot reach http:\/\/127\.0\.0\.1:9\/files: .*ECONNREFUSED.*; is the server running\?\n$/,
    )
  })

  it('exits 2 with one line, running no check, when the URL is not a tus server', async () => {
    const web = http.createServer((req, res) => {
      req.resume()
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><title>Not Found</title></html>')
    })
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(web.address() as { port: number }).port}/files`
      const result = await cli([url])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toBe(
        `tusk-conformance: ${url} is not a tus server: OPTIONS answered 404 without Tus-Version or Tus-Resumable, and HEAD of an unknown upload answered 404 without Tus-Resumable (is this the creation URL, e.g. http://127.0.0.1:1080/files?)\n`,
      )
    } finally {
      await new Promise((resolve) => web.close(resolve))
    }
  })

  it('tests an https:// URL over TLS', async () => {
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ])
    const secure = await startReferenceServer([], {
      tls: { key: await readFile(key), cert: await readFile(cert) },
    })
    try {
      expect(secure.url).toMatch(/^https:/)
      // The CLI trusts the test's certificate through Node's NODE_EXTRA_CA_CERTS.
      const result = await cli([secure.url, '--only', 'core.head'], { NODE_EXTRA_CA_CERTS: cert })
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^PASS core\.head\.cache-control /m)
    } finally {
      await secure.close()
    }
  })

  it('--json - writes the JSON report alone to stdout, the per-check lines to stderr', async () => {
    const { code, stdout, stderr } = await cli([broken.url, '--only', 'core.head', '--json', '-'])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as { failed: number; results: Array<{ id: string; status: string }> }
    expect(report.failed).toBe(1)
    expect(report.results.find((r) => r.id === 'core.head.cache-control')?.status).toBe('fail')
    expect(stderr).toMatch(/^FAIL core\.head\.cache-control /m)
    expect(stderr).toMatch(/^\d+ passed, 1 failed$/m)
    expect((await cli([good.url, '--json', '-', '--junit', '-'])).code).toBe(2)
  })
})

describe('the tusk-conformance CLI with two owners’ tokens (auth group)', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>
  let defective: Awaited<ReturnType<typeof startReferenceServer>>
  beforeAll(async () => {
    server = await startReferenceServer([], { auth: true })
    defective = await startReferenceServer(['forbidsOtherOwner'])
  })
  afterAll(async () => {
    await Promise.all([server.close(), defective.close()])
  })
  const a = 'reference-token-of-alice'
  const b = 'reference-token-of-bob'

  it('--token-a/--token-b run the auth group and every other group as owner A: exit 0', async () => {
    const { code, stdout } = await cli([server.url, '--token-a', a, '--token-b', b, '--only', 'core,auth'])
    expect(stdout).toMatch(
      /^PASS auth\.other-owner\.head-404 \[MUST\] HEAD of A's upload as owner B gets 404, as for an upload that does not exist$/m,
    )
    expect(stdout).toMatch(/^PASS auth\.no-token\.post-401 /m)
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m)
    expect(code).toBe(0)
  })

  it('--tokens-command reads the two tokens from a command’s two lines', async () => {
    const { code, stdout } = await cli([
      server.url,
      '--tokens-command',
      `printf '%s\\n%s\\n' ${a} ${b}`,
      '--only',
      'auth',
    ])
    expect(stdout).toMatch(/^10 passed, 0 failed$/m)
    expect(code).toBe(0)
  })

  it('without tokens the auth group is SKIP with a reason naming the options, never PASS', async () => {
    const { code, stdout } = await cli([server.url, '--only', 'auth'])
    expect(stdout).not.toMatch(/^PASS/m)
    expect(stdout).toMatch(
      /^SKIP auth\.no-token\.post-401 \[MUST\] .* \(not applicable: no tokens given \(pass two owners’ tokens with --token-a and --token-b, or --tokens-command\)\)$/m,
    )
    expect(code).toBe(0)
  })

  it('a server answering another owner with 403 fails, and the report shows tokens only by their last characters', async () => {
    const { code, stdout } = await cli([defective.url, '--token-a', a, '--token-b', b, '--only', 'auth'])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^FAIL auth\.other-owner\.head-404 /m)
    expect(stdout).toMatch(/why: {2}HEAD of A's upload as owner B: got 403, expected 404/)
    expect(stdout).toContain('Authorization: Bearer …of-bob')
    expect(stdout).not.toContain(b)
  })

  it('exits 2 on token mistakes: one of the pair, the same token twice, a command printing one line', async () => {
    expect((await cli([server.url, '--token-a', a])).stderr).toMatch(/--token-a and --token-b go together/)
    expect((await cli([server.url, '--token-a', a, '--token-b', a])).code).toBe(2)
    const oneLine = await cli([server.url, '--tokens-command', `echo ${a}`])
    expect(oneLine.code).toBe(2)
    expect(oneLine.stderr).toMatch(/must print two tokens on two lines, printed 1 lines/)
  })
})
