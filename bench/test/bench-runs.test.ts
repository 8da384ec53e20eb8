import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

// The benchmark is not a timed test: these only check that `npm run bench` and the GC trace run end
// to end in their quick form and report every figure. No timing is asserted.
const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const scratch = await mkdtemp(path.join(os.tmpdir(), 'tusk-bench-test-'))
afterAll(() => rm(scratch, { recursive: true, force: true }))

describe('benchmark scripts', () => {
  it('the quick bench run starts both servers, runs every workload and prints the ratio table', async () => {
    const json = path.join(scratch, 'quick.json')
    const { stdout } = await run(process.execPath, ['bench/run.mjs', '--json', json], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: '1' },
      timeout: 120_000,
    })
    expect(stdout).toContain('| workload | plain @tus/server | Tusk | Tusk vs plain (per-rep ratio) |')
    const { results } = JSON.parse(await readFile(json, 'utf8'))
    expect(Object.keys(results).sort()).toEqual(['patch-1', 'patch-8m', 'slow', 'small'])
    const figures = {
      'patch-1': ['mbps', 'cpuPerGiB'],
      'patch-8m': ['mbps', 'cpuPerGiB'],
      small: ['rate', 'p50', 'p99', 'cpuUs'],
      slow: ['idleRss', 'peakRss', 'maxInFlight'],
    }
    for (const [workload, keys] of Object.entries(figures)) {
      expect(results[workload]).toHaveLength(1)
      for (const contender of ['plain', 'tusk']) {
        for (const key of keys) {
          const value = results[workload][0][contender][key]
          expect(Number.isFinite(value) && value >= 0, `${workload} ${contender} ${key} = ${value}`).toBe(
            true,
          )
        }
      }
    }
  })

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

  it('npm run bench runs every benchmark part (core, checksum/parallel, cluster) and prints each table', async () => {
    const env = { ...process.env }
    delete env.S3_ENDPOINT
    const { stdout } = await run(process.execPath, ['bench/suite.mjs', '--quick'], {
      cwd: root,
      env,
      timeout: 180_000,
    })
    expect(stdout).toContain('| workload | plain @tus/server | Tusk | Tusk vs plain (per-rep ratio) |')
    expect(stdout).toMatch(/\| sha256 \| \d+/)
    expect(stdout).toMatch(/\| 4 partials \+ final \| \d+/)
    expect(stdout).toMatch(/\| --workers 2 \| \d+/)
    expect(stdout).toContain('S3 store vs PutObject: not run')
  })
})
