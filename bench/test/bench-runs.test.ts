import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// The benchmark is not a timed test: these only check that `npm run bench` and the GC trace run end
// to end in a small form and report every figure and every target. No timing is asserted.
const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const scratch = await mkdtemp(path.join(os.tmpdir(), 'tusk-bench-test-'))
afterAll(() => rm(scratch, { recursive: true, force: true }))

// Every workload, made small: a few seconds each.
const TINY = [
  '--quick',
  '--no-profile',
  '--big-size',
  '8MiB',
  '--small-count',
  '60',
  '--slow-count',
  '20',
  '--crowd-count',
  '40',
  '--crowd-peak-count',
  '60',
  '--download-count',
  '100',
]

const FIGURES: Record<string, { contenders: string[]; keys: string[] }> = {
  'patch-1': { contenders: ['raw', 'plain', 'tusk'], keys: ['mbps', 'cpuPerGiB', 'peakRss'] },
  'patch-8m': { contenders: ['raw', 'plain', 'tusk'], keys: ['mbps', 'cpuPerGiB', 'msPerPatch', 'peakRss'] },
  small: { contenders: ['raw', 'multer', 'plain', 'tusk'], keys: ['rate', 'p50', 'p99', 'cpuUs', 'peakRss'] },
  'small-64k': { contenders: ['raw', 'multer', 'plain', 'tusk'], keys: ['rate', 'p50', 'p99', 'cpuUs'] },
  slow: { contenders: ['raw', 'plain', 'tusk'], keys: ['idleRss', 'peakRss', 'perUpload'] },
  'crowd-3k': {
    contenders: ['raw', 'plain', 'tusk'],
    keys: ['seconds', 'completed', 'badRefusals', 'peakRss'],
  },
  'crowd-5k': {
    contenders: ['raw', 'plain', 'tusk'],
    keys: ['seconds', 'completed', 'badRefusals', 'peakRss'],
  },
  'get-small': { contenders: ['raw', 'plain', 'tusk'], keys: ['rate', 'p50', 'p99', 'cpuUs'] },
  'range-small': { contenders: ['raw', 'tusk'], keys: ['rate', 'p50', 'p99', 'cpuUs'] },
  ttfb: { contenders: ['raw', 'plain', 'tusk'], keys: ['ttfbP50', 'ttfbP99', 'p99'] },
  'get-big': { contenders: ['raw', 'plain', 'tusk'], keys: ['mbps', 'cpuPerGiB'] },
  'range-big': { contenders: ['raw', 'tusk'], keys: ['mbps', 'cpuPerGiB'] },
}

describe('benchmark scripts', () => {
  it('the bench starts every contender, runs every workload, prints the ratio table and every target', async () => {
    const json = path.join(scratch, 'tiny.json')
    const { stdout } = await run(process.execPath, ['bench/run.mjs', ...TINY, '--json', json], {
      cwd: root,
      timeout: 300_000,
    })
    expect(stdout).toContain(
      '| workload | raw pipe | express+multer | plain @tus/server | Tusk | Tusk vs raw pipe |',
    )
    const { results } = JSON.parse(await readFile(json, 'utf8'))
    expect(Object.keys(results).sort()).toEqual(Object.keys(FIGURES).sort())
    for (const [workload, { contenders, keys }] of Object.entries(FIGURES)) {
      expect(results[workload]).toHaveLength(1)
      expect(Object.keys(results[workload][0]).sort()).toEqual([...contenders].sort())
      for (const contender of contenders) {
        for (const key of keys) {
          const value = results[workload][0][contender][key]
          expect(Number.isFinite(value) && value >= 0, `${workload} ${contender} ${key} = ${value}`).toBe(
            true,
          )
        }
      }
    }
    // Far below capacity every crowd upload completes, on every server.
    for (const contender of ['raw', 'plain', 'tusk'])
      expect(results['crowd-3k'][0][contender].completed).toBe(40)
    for (const target of [
      'small-vs-multer',
      'small-vs-raw',
      'small-p99-vs-multer',
      'small-cpu-per-upload',
      'small-64k-vs-raw',
      'chunked-vs-single-patch',
      'slow-memory-per-upload',
      'slow-idle-rss',
      'crowd-3k-time-vs-raw',
      'crowd-5k-completed-vs-raw',
      'crowd-5k-bad-refusals',
      'get-small-vs-raw',
      'range-small-vs-raw',
      'ttfb-p99',
      'get-big-vs-raw',
      'range-big-vs-raw',
    ]) {
      expect(stdout).toMatch(
        new RegExp(`^target ${target}: [\\d.]+.* \\(need (>=|<=) [\\d.]+.*\\) (PASS|FAIL)$`, 'm'),
      )
    }
  }, 320_000)

  it('the GC trace counts collections for each server variant', async () => {
    const { stdout } = await run(
      process.execPath,
      ['bench/gc-trace.mjs', '--reps', '1', '--big-size', '16MiB', '--only', 'plain,koa+flag,tusk'],
      { cwd: root, timeout: 120_000 },
    )
    expect(stdout).toMatch(/\| plain @tus\/server \| \d+ \| 1\.00× \| [\d.]+ \| \d+ \|/)
    expect(stdout).toMatch(/\| naive Koa mount, flag \| \d+ \|/)
    expect(stdout).toMatch(/\| Tusk as shipped \(flag\) \| \d+ \|/)
  })

  it('npm run bench --only runs the named workloads with their CPU profile and the named parts', async () => {
    // The parts' scratch directories go under a temporary directory of this test's, to see what is left.
    const tmp = await mkdtemp(path.join(scratch, 'tmp-'))
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp }
    delete env.S3_ENDPOINT
    const { stdout } = await run(
      process.execPath,
      ['bench/suite.mjs', '--quick', '--only', 'small,checksum,cluster,features,s3', '--small-count', '60'],
      { cwd: root, env, timeout: 240_000 },
    )
    // The feature costs' servers' data (~500 MB a full run) is removed at the end, as the cluster part's.
    expect((await readdir(tmp)).filter((name) => /^tusk-bench-(features|cluster)-/.test(name))).toEqual([])
    expect(stdout).toContain('| workload | raw pipe | express+multer | plain @tus/server | Tusk |')
    expect(stdout).toMatch(/^target small-vs-multer: /m)
    expect(stdout).not.toMatch(/^target get-small-vs-raw: /m)
    expect(stdout).toMatch(/## CPU profile of Tusk, small: busy +\d+ ms +[\d.]+ µs\/upload/)
    expect(stdout).toMatch(/\| sha256 \| \d+/)
    expect(stdout).toMatch(/^target checksum-sha256-vs-off: [\d.]+× \(need >= 0\.85×\)/m)
    expect(stdout).toMatch(/\| 4 partials \+ final \| \d+/)
    expect(stdout).toMatch(/\| --workers 2 \| \d+/)
    expect(stdout).toMatch(/^\| metrics \+ post-finish webhook \| \d+ \| [\d.]+ \|/m)
    expect(stdout).toMatch(
      /^floor: one bare webhook exchange .*, 0 failed, .*: machine \d+ µs .* the ≤ 10 % target leaves \d+ µs .*; the exchange and the metrics alone \(\+-?\d+ µs in this run\) need -?\d+ µs$/m,
    )
    expect(stdout).toContain('S3 store vs PutObject: not run')
  }, 260_000)
})
