// Profiles the servers under one workload with node --cpu-prof and prints where their CPU time
// goes (by package and by function; per upload for the small-upload workload).
//   node bench/profile.mjs [--workload small|patch-8m|patch-1] [--count N] [--only tusk|plain] [--top N]
//     [--hooks]   (Tusk also with one signed post-finish webhook per upload, to bench/servers/webhook-receiver.mjs)
import { fork } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PLAIN, startContender, TUSK, variant } from './lib/contenders.mjs'
import { printSummary, summarise } from './lib/cpu-profile-summary.mjs'
import { bigUpload } from './workloads/big-upload.mjs'
import { smallUploads } from './workloads/small-uploads.mjs'

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'small' },
    count: { type: 'string', default: '6000' },
    only: { type: 'string' },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    hooks: { type: 'boolean', default: false },
  },
})
const count = Number(values.count)
const contenders = [PLAIN, TUSK].filter((c) => !values.only || values.only === c.name)
let receiver
if (values.hooks) {
  const secret = `whsec_${Buffer.from('bench-hook-secret-0123456789abcdef').toString('base64')}`
  receiver = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers/webhook-receiver.mjs'), [
    '--secret',
    secret,
  ])
  const { port } = await new Promise((resolve) => receiver.once('message', resolve))
  contenders.push(
    variant(TUSK, {
      name: 'tusk-hooks',
      label: 'Tusk + post-finish webhook',
      extraArgs: [
        '--hooks-url',
        `http://127.0.0.1:${port}/hooks`,
        '--hooks-events',
        'post-finish',
        '--hooks-secret',
        secret,
      ],
    }),
  )
}
const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-profile-'))

for (const contender of contenders) {
  const profDir = path.join(runDir, `${contender.name}-prof`)
  const server = await startContender(contender, {
    dataDir: path.join(runDir, `${contender.name}-data`),
    logFile: path.join(runDir, `${contender.name}.log`),
    extraNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  })
  let perUnit
  if (values.workload === 'small') {
    const r = await smallUploads({ url: server.url, size: 1024, count, warmup: 300, concurrency: 64 })
    console.log(
      `${contender.label}: ${r.rate.toFixed(0)} uploads/s under the profiler (${count} + 300 warm-up)`,
    )
    perUnit = { name: 'upload', count: count + 300 }
  } else {
    const r = await bigUpload({
      url: server.url,
      size: 2 ** 30,
      chunkSize: values.workload === 'patch-1' ? 0 : 8 * 2 ** 20,
    })
    console.log(`${contender.label}: ${r.mbps.toFixed(0)} MB/s under the profiler`)
    perUnit = { name: 'MiB', count: 1024 }
  }
  await server.stop()
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error(`${contender.label} wrote no profile`)
  printSummary(contender.label, summarise(path.join(profDir, file), { top: Number(values.top) }), perUnit)
  if (values.keep) console.log(`profile: ${path.join(profDir, file)}`)
}
receiver?.disconnect()
if (!values.keep) rmSync(runDir, { recursive: true, force: true })
