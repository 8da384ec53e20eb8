// npm run bench: every benchmark the project keeps, one after the other, each printing its figures.
//   1. Tusk vs raw pipe-to-file, express + multer and plain @tus/server on every workload, with the
//      issue 16 targets and a CPU profile per workload (bench/run.mjs; `node bench/run.mjs --help`)
//   2. Checksum on vs off and 1 vs 4 parallel partials for a 1 GiB upload (bench/checksum-parallel.mjs)
//   3. Cluster mode: --workers 2 vs 1 on 1 KiB uploads (bench/cluster.mjs)
//   4. What authentication, metrics and a webhook cost on 1 KiB uploads (bench/features.mjs)
//   5. S3 store vs a direct PutObject of the same bytes (bench/s3-vs-putobject.mjs), when an S3
//      service is configured (S3_ENDPOINT etc., e.g. from scripts/s3-start.sh's s3.env)
// Arguments after `--` go to bench/run.mjs; `--quick` goes to every part. `--only a,b` runs only the
// named run.mjs workloads and parts (checksum, cluster, features, s3); without a run.mjs workload
// among them, run.mjs is left out.
import { spawnSync } from 'node:child_process'
import { WORKLOADS } from './lib/options.mjs'

const args = process.argv.slice(2)
const quick = args.includes('--quick') ? ['--quick'] : []
const onlyAt = args.findIndex((a) => a === '--only' || a.startsWith('--only='))
const only =
  onlyAt < 0
    ? undefined
    : (args[onlyAt].startsWith('--only=') ? args[onlyAt].slice(7) : (args[onlyAt + 1] ?? '')).split(',')
const runArgs = [...args]
if (only) {
  runArgs.splice(onlyAt, args[onlyAt].startsWith('--only=') ? 1 : 2)
  const workloads = only.filter((w) => WORKLOADS.includes(w))
  if (workloads.length) runArgs.push('--only', workloads.join(','))
}
const wanted = (name) => !only || only.includes(name)

const parts = []
if (!only || only.some((w) => WORKLOADS.includes(w)))
  parts.push(['Tusk vs the baselines', 'bench/run.mjs', runArgs])
if (wanted('checksum'))
  parts.push(['checksum cost and parallel partials', 'bench/checksum-parallel.mjs', quick])
if (wanted('cluster')) {
  parts.push([
    'cluster mode',
    'bench/cluster.mjs',
    quick.length ? ['--reps', '1', '--count', '500', '--warmup', '100'] : [],
  ])
}
if (wanted('features')) {
  parts.push([
    'feature costs (auth, metrics, webhooks)',
    'bench/features.mjs',
    quick.length ? ['--reps', '1', '--count', '300'] : [],
  ])
}
if (wanted('s3') && process.env.S3_ENDPOINT)
  parts.push(['S3 store vs PutObject', 'bench/s3-vs-putobject.mjs', quick])

const started = Date.now()
let failed = 0
for (const [title, script, scriptArgs] of parts) {
  console.log(`\n## ${title} (node ${script} ${scriptArgs.join(' ')})\n`)
  const run = spawnSync(process.execPath, [script, ...scriptArgs], { stdio: 'inherit' })
  if (run.status !== 0) failed++
}
if (wanted('s3') && !process.env.S3_ENDPOINT) {
  console.log(
    '\n## S3 store vs PutObject: not run (no S3_ENDPOINT; start scripts/s3-start.sh and source its s3.env)',
  )
}
console.log(`\nnpm run bench took ${((Date.now() - started) / 60_000).toFixed(1)} min`)
process.exit(failed > 0 ? 1 : 0)
