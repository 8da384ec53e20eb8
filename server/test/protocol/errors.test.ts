import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'
import { errorTable } from '../../src/errors.js'
import { startServer } from '../../src/index.js'
import { create, head, OCTETS, patch, TUS } from './helpers.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
const byCode = new Map(errorTable.map((row) => [row.code, row]))

/** The code an error body starts with, checked against the table (status included). */
async function codeOf(res: Response): Promise<string> {
  const body = await res.text()
  const match = /^(ERR_[A-Z_]+): \S/.exec(body)
  expect(match, `body "${body}" does not start with a code`).not.toBeNull()
  const code = match?.[1] as string
  expect(byCode.get(code as never)?.status, `${code} is not in the table with status ${res.status}`).toBe(
    res.status,
  )
  return code
}

describe('the error table', () => {
  const ctx = useTusk({ maxSize: 1_000 })

  it('has one row per code, each an HTTP error status', () => {
    expect(new Set(errorTable.map((row) => row.code)).size).toBe(errorTable.length)
    for (const row of errorTable) expect(row.status).toBeGreaterThanOrEqual(400)
  })

  it('starts every 4xx body with its code from the table', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '10' })
    const post = (headers: Record<string, string>) => fetch(ctx.server.url, { method: 'POST', headers })
    const cases: [Promise<Response>, string][] = [
      [post({ 'Upload-Length': '10' }), 'ERR_TUS_VERSION'],
      [post({ ...TUS, 'Upload-Length': '5000' }), 'ERR_TOO_LARGE'],
      [post({ ...TUS, 'Upload-Length': '10', 'Upload-Metadata': 'a b c' }), 'ERR_INVALID_METADATA'],
      [post({ ...TUS }), 'ERR_INVALID_LENGTH'],
      [patch(url, 3, 'abc'), 'ERR_OFFSET_MISMATCH'],
      [
        fetch(url, { method: 'PATCH', headers: { ...TUS, 'Upload-Offset': '0' }, body: 'a' }),
        'ERR_CONTENT_TYPE',
      ],
      [patch(`${ctx.server.url}/nosuchupload`, 0, 'a'), 'ERR_NOT_FOUND'],
      [patch(`${ctx.server.url}/..%2Fetc`, 0, 'a'), 'ERR_INVALID_ID'],
      [fetch(url, { method: 'PUT', headers: TUS }), 'ERR_METHOD'],
      [fetch(url), 'ERR_NOT_FINISHED'],
    ]
    for (const [response, code] of cases) expect(await codeOf(await response)).toBe(code)
  })

  it('is the README "Errors" table (generated from it)', () => {
    const check = spawnSync(process.execPath, ['scripts/errors-table.mjs', '--check'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
  })
})

describe('a PATCH cut short by a DELETE of its upload', () => {
  const ctx = useTusk()

  it('is not answered as a success: 423 ERR_TAKEN_OVER, and the upload is gone', async () => {
    const url = await create(ctx.server, { 'Upload-Length': String(1 << 20) })
    const id = url.slice(url.lastIndexOf('/') + 1)
    // A PATCH that sends its first bytes and then stalls, as a slow client's would.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(url, {
        method: 'PATCH',
        headers: { ...TUS, ...OCTETS, 'Upload-Offset': '0', 'Content-Length': String(1 << 20) },
      })
      req.on('response', (res) => {
        let body = ''
        res.on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.write(Buffer.alloc(64 * 1024, 1))
    })
    // In flight once its first bytes are on disk (read without asking for the upload's lock).
    const file = path.join(ctx.server.dataDir, id)
    for (const started = Date.now(); ((await stat(file)).size ?? 0) === 0; ) {
      if (Date.now() - started > 10_000) throw new Error('the PATCH never reached the store')
      await new Promise((resolve) => setImmediate(resolve))
    }
    const deleted = await fetch(url, { method: 'DELETE', headers: TUS })
    expect(deleted.status).toBe(204)
    const cut = await answer
    expect(cut.status).toBe(423)
    expect(cut.body).toMatch(/^ERR_TAKEN_OVER: /)
    expect((await head(url)).status).toBe(404)
  })
})

describe('configuration errors', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [MAIN, ...args], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env },
    })

  it('exits 2 naming the option when --store s3 has no bucket', () => {
    const result = run('--store', 's3', '--port', '0')
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/s3Bucket \(--s3-bucket \/ TUSK_S3_BUCKET\): required with --store s3/)
  })

  it('exits 2 naming the option when an S3 access key id comes without its secret', () => {
    const result = run('--store', 's3', '--s3-bucket', 'b', '--s3-access-key-id', 'AKIA', '--port', '0')
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/s3SecretAccessKey \(--s3-secret-access-key/)
  })
})

describe('the request log line of an error answer', () => {
  it('carries the error code', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
          done()
        },
      }),
    )
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tusk-errors-log-'))
    const server = await startServer({ port: 0, dataDir }, { logger })
    try {
      const res = await patch(`${server.url}/nosuchupload`, 0, 'a')
      expect(res.status).toBe(404)
      await res.text()
      await until(() => lines.some((line) => line.msg === 'request'), 5_000)
      expect(lines.find((line) => line.msg === 'request')).toMatchObject({
        status: 404,
        code: 'ERR_NOT_FOUND',
      })
    } finally {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
  }
}
