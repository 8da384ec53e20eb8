// Cluster mode on small uploads: Tusk with --workers 2 against --workers 1 (issue 6, part 6).
// Each measurement starts a fresh server (as `npm start` runs it), runs a warm-up and then `count`
// creation-with-upload requests of `size` bytes, `concurrency` at a time; the two configurations
// alternate (1 2, 2 1, ...) and the ratio of their rates is taken per repetition.
//
//   npm run build && node bench/cluster.mjs [--reps 3] [--count 4000] [--warmup 500] [--concurrency 64]
//       [--size 1024] [--workers 2] [--keep]
//
// Note: the gain is bounded by the cores the machine really has free; the printed core count and
// load average say what the figure was measured on.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startContender, TUSK, variant } from './lib/contenders.mjs'
import { median } from './lib/stats.mjs'
import { smallUploads } from './workloads/small-uploads.mjs'

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    count: { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '64' },
    size: { type: 'string', default: '1024' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
})
const reps = Number(values.reps)
const workload = {
  count: Number(values.count),
  warmup: Number(values.warmup),
  concurrency: Number(values.concurrency),
  size: Number(values.size),
}
if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('bench/cluster: server/dist/main.js is missing; run `npm run build` first')
  process.exit(1)
}

const single = variant(TUSK, { name: 'workers-1', label: '--workers 1', extraArgs: ['--workers', '1'] })
const multi = variant(TUSK, {
  name: `workers-${values.workers}`,
  label: `--workers ${values.workers}`,
  extraArgs: ['--workers', values.workers],
})
const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-cluster-'))

async function measure(contender, rep) {
  const server = await startContender(contender, {
    dataDir: path.join(runDir, `${contender.name}-${rep}`),
    logFile: path.join(runDir, `${contender.name}.log`),
  })
  try {
    return await smallUploads({ url: server.url, ...workload })
  } finally {
    await server.stop()
  }
}

console.log(
  `cluster bench: ${workload.count} uploads of ${workload.size} B (creation-with-upload), c=${workload.concurrency}, ` +
    `${reps} reps; ${os.availableParallelism()} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
)
const rows = []
for (let rep = 0; rep < reps; rep++) {
  const order = rep % 2 === 0 ? [single, multi] : [multi, single]
  const result = {}
  for (const contender of order) result[contender.name] = await measure(contender, rep)
  const ratio = result[multi.name].rate / result[single.name].rate
  rows.push({ one: result[single.name], many: result[multi.name], ratio })
  console.log(
    `  rep ${rep + 1}: ${single.label} ${result[single.name].rate.toFixed(0)}/s (p99 ${result[single.name].p99.toFixed(1)} ms), ` +
      `${multi.label} ${result[multi.name].rate.toFixed(0)}/s (p99 ${result[multi.name].p99.toFixed(1)} ms), ratio ${ratio.toFixed(2)}`,
  )
}
const m = (pick) => median(rows.map(pick))
console.log('')
console.log(`| configuration | uploads/s (median) | p50 ms | p99 ms |`)
console.log(`|---|---:|---:|---:|`)
console.log(
  `| ${single.label} | ${m((r) => r.one.rate).toFixed(0)} | ${m((r) => r.one.p50).toFixed(1)} | ${m((r) => r.one.p99).toFixed(1)} |`,
)
console.log(
  `| ${multi.label} | ${m((r) => r.many.rate).toFixed(0)} | ${m((r) => r.many.p50).toFixed(1)} | ${m((r) => r.many.p99).toFixed(1)} |`,
)
console.log('')
console.log(`ratio (${multi.label} / ${single.label}, median of ${reps}): ${m((r) => r.ratio).toFixed(2)}`)
if (values.keep) console.log(`data and logs: ${runDir}`)
else rmSync(runDir, { recursive: true, force: true })
