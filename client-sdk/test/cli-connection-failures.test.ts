import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'
import { tempDir } from './helpers/files.js'

// A server that cannot be reached must end the CLI quickly with one line saying what failed, where,
// and what to check: real sockets here (a closed port, a self-signed TLS server, a proxy's HTML
// error page, a host name that cannot exist), not simulated errors.

let dir: Awaited<ReturnType<typeof tempDir>>
let file: string
const servers: Array<http.Server | https.Server | Server> = []

beforeAll(async () => {
  dir = await tempDir()
  file = join(dir.path, 'big.bin')
  await writeFile(file, Buffer.alloc(64 * 1024, 7))
})
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
  await dir?.remove()
})

async function listen<S extends http.Server | https.Server | Server>(server: S): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const upload = (endpoint: string, ...extra: string[]) =>
  runCli(['upload', file, '--endpoint', endpoint, ...extra], join(dir.path, `state-${Math.random()}`))

/** The CLI's lines about the file (stdout) — retries and the outcome. */
const fileLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('big.bin: '))

describe('tusk upload when the server cannot be reached', () => {
  it('a refused connection: one retry line, then one line with the URL and the hint, within 30 s', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/files`
    const started = Date.now()
    const result = await upload(endpoint) // the default --retries
    const seconds = (Date.now() - started) / 1000
    expect(result.code).toBe(1)
    expect(seconds).toBeLessThan(30)
    const lines = fileLines(result.stdout)
    expect(lines).toHaveLength(2) // the same failure is not repeated for every retry
    expect(lines[0]).toMatch(/Retrying for up to 25s \(retry 1 in \d+\.\ds\)\.$/)
    expect(lines[1]).toMatch(/^big\.bin: gave up after \d+ retries in \d+\.\ds: POST /)
    expect(lines[1]).toContain(
      `POST ${endpoint}: connection refused by ${new URL(endpoint).host} (ECONNREFUSED); is the server running?`,
    )
    expect(result.stderr).toBe('tusk: 1 of 1 uploads failed.\n')
    console.info(`refused connection: gave up after ${seconds.toFixed(1)} s with the default --retries`)
  }, 45_000)

  it('--retries 0: a refused connection fails at once', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/files`
    const result = await upload(endpoint, '--retries', '0')
    expect(result.code).toBe(1)
    expect(fileLines(result.stdout)).toEqual([
      `big.bin: POST ${endpoint}: connection refused by ${new URL(endpoint).host} (ECONNREFUSED); is the server running?`,
    ])
  })

  it('an unresolvable host name: says which name, without retrying a name that does not exist', async () => {
    const endpoint = 'http://nonexistent.invalid/files'
    const result = await upload(endpoint, '--retries', '1')
    expect(result.code).toBe(1)
    const last = fileLines(result.stdout).at(-1)
    expect(last).toMatch(/the host name nonexistent\.invalid was not found \((ENOTFOUND|EAI_AGAIN)\)/)
    expect(last).toContain(`POST ${endpoint}:`)
    expect(last).toMatch(/is the URL right and the server running\?$/)
  })

  it('a TLS server with a self-signed certificate: names the certificate problem, no retries', async () => {
    const key = join(dir.path, 'key.pem')
    const cert = join(dir.path, 'cert.pem')
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
    ])
    const server = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.writeHead(204).end(),
    )
    const endpoint = `https://127.0.0.1:${await listen(server)}/files`
    const result = await upload(endpoint)
    expect(result.code).toBe(1)
    expect(fileLines(result.stdout)).toEqual([
      `big.bin: POST ${endpoint}: TLS failed: its certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT); is the server running, with a certificate this machine trusts?`,
    ])
  })

  it("a proxy's HTML 502 page: the status and the page's title, not the page's first line", async () => {
    const page =
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
    const server = http.createServer((req, res) => {
      req.resume()
      res.writeHead(502, { 'Content-Type': 'text/html' }).end(page)
    })
    const port = await listen(server)
    const endpoint = `http://127.0.0.1:${port}/files`
    const result = await upload(endpoint, '--retries', '2')
    expect(result.code).toBe(1)
    const lines = fileLines(result.stdout)
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(/^big\.bin: gave up after 2 retries in \d+\.\ds: POST /)
    expect(lines[1]).toContain(
      `POST ${endpoint} failed: 502 from a proxy or web server, not a tus server (HTML page "502 Bad Gateway"); is the server running?`,
    )
    expect(result.stdout).not.toContain('<html>')

    const status = await runCli(['status', `${endpoint}/abc`], dir.path)
    expect(status.code).toBe(1)
    expect(status.stderr).toBe(
      `tusk: HEAD ${endpoint}/abc was refused with 502 from a proxy or web server, not a tus server; is the server running?\n`,
    )
  })
})
