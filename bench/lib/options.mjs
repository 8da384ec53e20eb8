import { parseArgs } from 'node:util'

const MiB = 2 ** 20
const GiB = 2 ** 30

export const WORKLOADS = ['patch-1', 'patch-8m', 'small', 'slow']

/** The full run: a few minutes on 2 cores. */
const FULL = {
  reps: 5,
  bigSize: GiB,
  chunkSize: 8 * MiB,
  smallSize: 1024,
  smallCount: 3000,
  smallWarmup: 300,
  concurrency: 64,
  slowCount: 1000,
  slowChunk: 4096,
  slowChunks: 16,
  slowIntervalMs: 250,
}

/** BENCH_QUICK=1 / --quick: a smoke run that exercises every path in seconds. */
const QUICK = {
  reps: 1,
  bigSize: 32 * MiB,
  chunkSize: 8 * MiB,
  smallSize: 1024,
  smallCount: 200,
  smallWarmup: 20,
  concurrency: 16,
  slowCount: 50,
  slowChunk: 1024,
  slowChunks: 4,
  slowIntervalMs: 100,
}

const ENV = {
  reps: 'BENCH_REPS',
  bigSize: 'BENCH_BIG_SIZE',
  chunkSize: 'BENCH_CHUNK_SIZE',
  smallCount: 'BENCH_SMALL_COUNT',
  concurrency: 'BENCH_CONCURRENCY',
  slowCount: 'BENCH_SLOW_COUNT',
}

function number(name, text) {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g)?i?b?$/i.exec(String(text).trim())
  if (!match) throw new Error(`bench: ${name} must be a number (sizes may end in KiB/MiB/GiB), got "${text}"`)
  const unit = { k: 2 ** 10, m: MiB, g: GiB }[(match[2] ?? '').toLowerCase()] ?? 1
  return Math.round(Number(match[1]) * unit)
}

export const USAGE = `Usage: npm run bench -- [options]   (or node bench/run.mjs [options])
  --quick                 short smoke run (env BENCH_QUICK=1)
  --reps N                repetitions, contenders interleaved A B, B A, ... (BENCH_REPS, default ${FULL.reps})
  --workloads a,b         subset of ${WORKLOADS.join(',')} (BENCH_WORKLOADS)
  --big-size SIZE         size of the big upload, e.g. 1GiB (BENCH_BIG_SIZE)
  --chunk-size SIZE       PATCH size of the chunked big upload, e.g. 8MiB (BENCH_CHUNK_SIZE)
  --small-count N         timed 1 KiB uploads per repetition (BENCH_SMALL_COUNT)
  --concurrency N         concurrency of the small uploads (BENCH_CONCURRENCY)
  --slow-count N          concurrent slow uploads (BENCH_SLOW_COUNT)
  --json FILE             also write every figure as JSON
  --keep                  keep the data directories under /tmp afterwards`

export function loadOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      workloads: { type: 'string' },
      'big-size': { type: 'string' },
      'chunk-size': { type: 'string' },
      'small-count': { type: 'string' },
      concurrency: { type: 'string' },
      'slow-count': { type: 'string' },
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
  const workloads = (values.workloads ?? env.BENCH_WORKLOADS ?? WORKLOADS.join(','))
    .split(',')
    .filter(Boolean)
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`bench: unknown workload "${w}"`)
  if (options.reps < 1) throw new Error('bench: --reps must be at least 1')
  return { ...options, workloads, json: values.json, keep: values.keep ?? false, help: values.help ?? false }
}
