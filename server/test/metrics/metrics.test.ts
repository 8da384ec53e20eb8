import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../src/config/schema.js'
import { startServer } from '../../src/server.js'
import { createUpload, patch, send, TUS } from '../helpers.js'

const dirs: string[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function start(config: ConfigInput = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-metrics-'))
  dirs.push(dataDir)
  const server = await startServer({ port: 0, dataDir, logLevel: 'silent', ...config })
  closers.push(() => server.close())
  return server
}

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the Prometheus text exposition format strictly: every line must be a comment or a sample. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/i.exec(line)
    if (!match) throw new Error(`not Prometheus text: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)

async function scrape(url: string) {
  const reply = await send(url)
  expect(reply.status).toBe(200)
  expect(reply.headers['content-type']).toContain('text/plain')
  return parsePrometheus(reply.body.toString())
}

describe('Prometheus metrics', () => {
  it('are served at /metrics as Prometheus text, and counters move as uploads are made', async () => {
    const server = await start()
    const before = await scrape(`${server.origin}/metrics`)
    expect(value(before, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    const url = await createUpload(server.url, 10)
    expect((await patch(url, 0, Buffer.alloc(4))).status).toBe(204)
    expect((await patch(url, 4, Buffer.alloc(6))).status).toBe(204)
    const other = await createUpload(server.url, 10)
    expect((await send(other, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect((await patch(url, 3, Buffer.alloc(1))).status).toBe(409)
    const after = await scrape(`${server.origin}/metrics`)
    const delta = (name: string, labels?: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels)
    expect(delta('tusk_uploads_created_total')).toBe(2)
    expect(delta('tusk_uploads_finished_total')).toBe(1)
    expect(delta('tusk_uploads_terminated_total')).toBe(1)
    expect(value(after, 'tusk_uploads_unfinished')).toBe(0)
    expect(delta('tusk_bytes_received_total')).toBe(10)
    expect(delta('tusk_requests_total', { method: 'PATCH', status: '204' })).toBe(2)
    expect(delta('tusk_requests_total', { method: 'POST', status: '201' })).toBe(2)
    expect(delta('tusk_errors_total', { code: 'ERR_OFFSET_MISMATCH' })).toBe(1)
    expect(delta('tusk_request_duration_seconds_count', { method: 'PATCH' })).toBe(3)
    expect(delta('tusk_lock_wait_seconds_count')).toBeGreaterThanOrEqual(3)
    expect(value(after, 'tusk_connections_open')).toBeGreaterThanOrEqual(1)
    // No upload id, path or user in any label.
    const id = url.split('/').pop() as string
    for (const sample of after) {
      for (const label of Object.values(sample.labels)) {
        expect(label).not.toContain(id)
        expect(label).not.toContain('/')
      }
    }
  })

  it('--metrics-port serves them on a separate port only; --metrics false turns them off', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const separate = await start({ metricsPort: port })
    expect((await send(`${separate.origin}/metrics`)).status).toBe(404)
    const samples = await scrape(`http://127.0.0.1:${port}/metrics`)
    expect(samples.some((s) => s.name === 'tusk_requests_total')).toBe(true)
    expect((await send(`http://127.0.0.1:${port}/other`)).status).toBe(404)
    const off = await start({ metrics: false })
    expect((await send(`${off.origin}/metrics`)).status).toBe(404)
  })
})
