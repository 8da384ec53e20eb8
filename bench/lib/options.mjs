import { parseArgs } from 'node:util'

const MiB = 2 ** 20
const GiB = 2 ** 30

/** Every workload of bench/run.mjs, in the order they run (bench/lib/plan.mjs says what each is). */
export const WORKLOADS = [
  'patch-1',
  'patch-8m',
  'small',
  'small-64k',
  'slow',
  'crowd-3k',
  'crowd-5k',
  'get-small',
  'range-small',
  'ttfb',
  'get-big',
  'range-big',
]

/** The full run (~20 minutes on 2 cores; crowd workloads take fewer repetitions, see plan.mjs). */
const FULL = {
  reps: 5,
  bigSize: GiB,
  chunkSize: 8 * MiB,
  smallSize: 1024,
  smallCount: 3000,
  smallWarmup: 300,
  concurrency: 64,
  mediumSize: 64 * 2 ** 10,
  mediumCount: 2000,
  slowCount: 1000,
  slowChunk: 4096,
  slowChunks: 16,
  slowIntervalMs: 250,
  crowdCount: 3000,
  crowdPeakCount: 5000,
  crowdChunk: 1024,
  crowdChunks: 200,
  crowdIntervalMs: 100,
  downloadFiles: 1000,
  downloadCount: 6000,
  downloadConcurrency: 256,
  ttfbConcurrency: 1000,
  ttfbRounds: 3,
}

/** BENCH_QUICK=1 / --quick: a smoke run that exercises every path in a few minutes. */
const QUICK = {
  reps: 1,
  bigSize: 32 * MiB,
  chunkSize: 8 * MiB,
  smallSize: 1024,
  smallCount: 200,
  smallWarmup: 20,
  concurrency: 16,
  mediumSize: 64 * 2 ** 10,
  mediumCount: 200,
  slowCount: 50,
  slowChunk: 1024,
  slowChunks: 4,
  slowIntervalMs: 100,
  crowdCount: 200,
  crowdPeakCount: 300,
  crowdChunk: 1024,
  crowdChunks: 20,
  crowdIntervalMs: 100,
  downloadFiles: 100,
  downloadCount: 400,
  downloadConcurrency: 32,
  ttfbConcurrency: 100,
  ttfbRounds: 1,
}

const ENV = {
  reps: 'BENCH_REPS',
  bigSize: 'BENCH_BIG_SIZE',
  chunkSize: 'BENCH_CHUNK_SIZE',
  smallCount: 'BENCH_SMALL_COUNT',
  concurrency: 'BENCH_CONCURRENCY',
  slowCount: 'BENCH_SLOW_COUNT',
  crowdCount: 'BENCH_CROWD_COUNT',
  crowdPeakCount: 'BENCH_CROWD_PEAK_COUNT',
  downloadCount: 'BENCH_DOWNLOAD_COUNT',
}

function number(name, text) {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(String(text).trim())
  if (!match) throw new Error(`bench: ${name} must be a number (sizes may end in KiB/MiB/GiB), got "${text}"`)
  const unit = { k: 2 ** 10, m: MiB, g: GiB }[(match[2] ?? '').toLowerCase()] ?? 1
  return Math.round(Number(match[1]) * unit)
}

export const USAGE = `Usage: npm run bench -- [options]   (or node bench/run.mjs [options])
  --quick                 short smoke run, a few minutes (env BENCH_QUICK=1)
  --only a,b              only these workloads (alias --workloads; BENCH_WORKLOADS), of:
                          ${WORKLOADS.join(',')}
  --reps N                repetitions, contenders interleaved A B C, C B A, ... (BENCH_REPS, default ${FULL.reps};
                          crowd-3k runs at most 2 and crowd-5k 1)
  --big-size SIZE         size of the big upload and download, e.g. 1GiB (BENCH_BIG_SIZE)
  --chunk-size SIZE       PATCH size of the chunked big upload, e.g. 8MiB (BENCH_CHUNK_SIZE)
  --small-count N         timed small uploads per repetition (BENCH_SMALL_COUNT)
  --concurrency N         concurrency of the small uploads (BENCH_CONCURRENCY)
  --slow-count N          concurrent slow uploads (BENCH_SLOW_COUNT)
  --crowd-count N         uploads of crowd-3k (BENCH_CROWD_COUNT); --crowd-peak-count N for crowd-5k
  --download-count N      timed GETs per repetition of get-small/range-small (BENCH_DOWNLOAD_COUNT)
  --no-profile            skip the CPU profile of Tusk per workload (one extra, untimed run each)
  --json FILE             also write every figure as JSON
  --keep                  keep the data directories under /tmp afterwards`

export function loadOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      workloads: { type: 'string' },
      only: { type: 'string' },
      'big-size': { type: 'string' },
      'chunk-size': { type: 'string' },
      'small-count': { type: 'string' },
      concurrency: { type: 'string' },
      'slow-count': { type: 'string' },
      'crowd-count': { type: 'string' },
      'crowd-peak-count': { type: 'string' },
      'download-count': { type: 'string' },
      'no-profile': { type: 'boolean' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const quick = values.quick ?? ['1', 'true'].includes(env.BENCH_QUICK ?? '')
  const options = { ...(quick ? QUICK : FULL), quick }
  for (const [key, envName] of Object.entries(ENV)) {
    const flag = values[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)]
    const text = flag ?? env[envName]
    if (text !== undefined && text !== '') options[key] = number(key, text)
  }
  const workloads = (values.only ?? values.workloads ?? env.BENCH_WORKLOADS ?? WORKLOADS.join(','))
    .split(',')
    .filter(Boolean)
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`bench: unknown workload "${w}"`)
  if (options.reps < 1) throw new Error('bench: --reps must be at least 1')
  return {
    ...options,
    workloads: WORKLOADS.filter((w) => workloads.includes(w)),
    profile: !(values['no-profile'] ?? false),
    json: values.json,
    keep: values.keep ?? false,
    help: values.help ?? false,
  }
}
