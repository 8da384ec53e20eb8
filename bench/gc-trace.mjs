// The GC finding behind Tusk's --initial-heap-size=64 (docs/benchmarks.md): the 8 MiB-chunked
// big upload against plain @tus/server, plain with Koa only imported, a naive Koa mounting and Tusk,
// each with and without the flag, every server run with --trace-gc. Counts the full (mark-compact)
// and young-generation (scavenge) collections during the upload, per 256 MiB, and their reasons.
//   node bench/gc-trace.mjs [--reps N] [--big-size 1GiB] [--chunk-size 8MiB] [--only name,name]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { PLAIN, startContender, TUSK, variant } from './lib/contenders.mjs'
import { max, median, min } from './lib/stats.mjs'
import { bigUpload } from './workloads/big-upload.mjs'

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'big-size': { type: 'string', default: String(2 ** 30) },
    'chunk-size': { type: 'string', default: String(8 * 2 ** 20) },
    only: { type: 'string' },
  },
})
const bytes = (text) => {
  const m = /^(\d+)\s*(k|m|g)?i?b?$/i.exec(text)
  if (!m) throw new Error(`not a size: ${text}`)
  return Number(m[1]) * ({ k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(m[2] ?? '').toLowerCase()] ?? 1)
}
const reps = Number(values.reps)
const bigSize = bytes(values['big-size'])
const chunkSize = bytes(values['chunk-size'])
const FLAG = ['--initial-heap-size=64']

const ALL = [
  variant(PLAIN, { name: 'plain', label: 'plain @tus/server', nodeArgs: [] }),
  variant(PLAIN, { name: 'plain+flag', label: 'plain @tus/server, flag', nodeArgs: FLAG }),
  variant(PLAIN, {
    name: 'import-koa',
    label: 'plain, Koa imported only',
    nodeArgs: [],
    extraArgs: ['--import-koa'],
  }),
  variant(PLAIN, {
    name: 'import-koa+flag',
    label: 'plain, Koa imported only, flag',
    nodeArgs: FLAG,
    extraArgs: ['--import-koa'],
  }),
  variant(PLAIN, { name: 'koa', label: 'naive Koa mount', nodeArgs: [], extraArgs: ['--koa'] }),
  variant(PLAIN, { name: 'koa+flag', label: 'naive Koa mount, flag', nodeArgs: FLAG, extraArgs: ['--koa'] }),
  variant(TUSK, { name: 'tusk-noflag', label: 'Tusk without the flag', nodeArgs: [] }),
  variant(TUSK, { name: 'tusk', label: 'Tusk as shipped (flag)', nodeArgs: FLAG }),
]
const variants = values.only ? ALL.filter((v) => values.only.split(',').includes(v.name)) : ALL

const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-gctrace-'))
const results = new Map(variants.map((v) => [v.name, []]))

function countGc(text) {
  const lines = text.split('\n')
  const markCompact = lines.filter((l) => /Mark-Compact|Mark-sweep/i.test(l) && /->/.test(l))
  const scavenge = lines.filter((l) => /Scavenge/.test(l) && /->/.test(l))
  const reasons = {}
  for (const line of markCompact) {
    const reason =
      line
        .slice(line.lastIndexOf(')') + 1)
        .trim()
        .replace(/^\s*/, '') || '?'
    reasons[reason] = (reasons[reason] ?? 0) + 1
  }
  const oldSizes = markCompact.map((l) => Number(/\s([\d.]+) \([\d.]+\) ->/.exec(l)?.[1] ?? Number.NaN))
  return { markCompact: markCompact.length, scavenge: scavenge.length, reasons, maxHeapBefore: max(oldSizes) }
}

console.log(
  `GC trace: ${reps} rep(s) of a ${bigSize / 2 ** 20} MiB upload in ${chunkSize / 2 ** 20} MiB PATCHes; ` +
    `node ${process.version}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
)
for (let rep = 0; rep < reps; rep++) {
  // Rotate the order every repetition so no variant always runs first or last.
  const order = variants.map((_, i) => variants[(i + rep) % variants.length])
  for (const v of order) {
    spawnSync('sync')
    const dataDir = path.join(runDir, v.name)
    const logFile = path.join(runDir, `${v.name}-${rep}.log`)
    const server = await startContender(v, { dataDir, logFile, extraNodeArgs: ['--trace-gc'] })
    let result
    let gc
    try {
      const before = statSync(logFile).size
      result = await bigUpload({ url: server.url, size: bigSize, chunkSize })
      gc = countGc(readFileSync(logFile, 'utf8').slice(before))
    } finally {
      await server.stop()
    }
    const id = result.uploadUrl.slice(result.uploadUrl.lastIndexOf('/') + 1)
    for (const f of [id, `${id}.json`]) rmSync(path.join(dataDir, f), { force: true })
    const per256 = (n) => (n * 2 ** 28) / bigSize
    results
      .get(v.name)
      .push({ mbps: result.mbps, mc: per256(gc.markCompact), sc: per256(gc.scavenge), reasons: gc.reasons })
    console.log(
      `  rep ${rep + 1} ${v.name.padEnd(16)} ${result.mbps.toFixed(0).padStart(4)} MB/s  mark-compact ${gc.markCompact}  ` +
        `scavenge ${gc.scavenge}  ${JSON.stringify(gc.reasons)}`,
    )
  }
}

const fmt = (xs, d = 0) =>
  xs.length > 1 ? `${median(xs).toFixed(d)} (${min(xs).toFixed(d)}–${max(xs).toFixed(d)})` : xs[0].toFixed(d)
const plainRuns = results.get('plain')
console.log('\n| server | MB/s | vs plain (per rep) | mark-compacts per 256 MiB | scavenges per 256 MiB |')
console.log('|---|---:|---:|---:|---:|')
for (const v of variants) {
  const runs = results.get(v.name)
  const ratios = plainRuns ? runs.map((r, i) => r.mbps / plainRuns[i].mbps) : []
  console.log(
    `| ${v.label} | ${fmt(runs.map((r) => r.mbps))} | ${ratios.length ? `${fmt(ratios, 2)}×` : '—'} | ` +
      `${fmt(
        runs.map((r) => r.mc),
        1,
      )} | ${fmt(
        runs.map((r) => r.sc),
        0,
      )} |`,
  )
}
rmSync(runDir, { recursive: true, force: true })
