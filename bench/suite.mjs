// npm run bench: every benchmark the project keeps, one after the other, each printing its figures.
//   1. Tusk vs plain @tus/server + @tus/file-store (bench/run.mjs: big uploads, 1 KiB uploads, memory)
//   2. Checksum on vs off and 1 vs 4 parallel partials for a 1 GiB upload (bench/checksum-parallel.mjs)
//   3. Cluster mode: --workers 2 vs 1 on 1 KiB uploads (bench/cluster.mjs)
//   4. What authentication, metrics and a webhook cost on 1 KiB uploads (bench/features.mjs)
//   5. S3 store vs a direct PutObject of the same bytes (bench/s3-vs-putobject.mjs), when an S3
//      service is configured (S3_ENDPOINT etc., e.g. from scripts/s3-start.sh's s3.env)
// Arguments after `--` go to bench/run.mjs; `--quick` goes to every part.
import { spawnSync } from 'node:child_process'

const args = process.argv.slice(2)
const quick = args.includes('--quick') ? ['--quick'] : []
const parts = [
  ['Tusk vs plain @tus/server', 'bench/run.mjs', args],
  ['checksum cost and parallel partials', 'bench/checksum-parallel.mjs', quick],
  [
    'cluster mode',
    'bench/cluster.mjs',
    quick.length ? ['--reps', '1', '--count', '500', '--warmup', '100'] : [],
  ],
  [
    'feature costs (auth, metrics, webhooks)',
    'bench/features.mjs',
    quick.length ? ['--reps', '1', '--count', '300'] : [],
  ],
]
if (process.env.S3_ENDPOINT) parts.push(['S3 store vs PutObject', 'bench/s3-vs-putobject.mjs', quick])

let failed = 0
for (const [title, script, scriptArgs] of parts) {
  console.log(`\n## ${title} (node ${script} ${scriptArgs.join(' ')})\n`)
  const run = spawnSync(process.execPath, [script, ...scriptArgs], { stdio: 'inherit' })
  if (run.status !== 0) failed++
}
if (!process.env.S3_ENDPOINT) {
  console.log(
    '\n## S3 store vs PutObject: not run (no S3_ENDPOINT; start scripts/s3-start.sh and source its s3.env)',
  )
}
process.exit(failed > 0 ? 1 : 0)
