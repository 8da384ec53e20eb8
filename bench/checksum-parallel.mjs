// Issue 5 benchmark: what verifying checksums costs, and what parallel partial uploads gain.
//   1. checksum off vs on (sha1, sha256, md5, crc32): a 1 GiB upload in 64 MiB PATCHes, each with
//      Upload-Checksum (digests computed before the clock starts: the server's cost is measured).
//   2. 1 vs 4 parallel partials: a 1 GiB upload as one PATCH, against 4 partial uploads of 256 MiB
//      sent at once plus the final concatenation (timed until its 201).
// Tusk runs as a child process (server/dist/main.js, like npm start); repetitions are interleaved
// (off and sha256 back to back, their order flipped every repetition), `sync` runs before each
// timed upload, and medians (min-max) of MB/s and of the server's CPU seconds per GiB are printed. MB = 10^6 bytes. Run: npm run build && node bench/checksum-parallel.mjs
// Options: --size BYTES, --chunk BYTES, --reps N (env BENCH_SIZE, BENCH_CHUNK, BENCH_REPS), --quick.
import { execSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'
import { Client, request } from 'undici'
import { startContender, TUSK } from './lib/contenders.mjs'
import { readCpuSeconds } from './lib/proc-cpu.mjs'
import { expectStatus, OCTETS, payload, TUS } from './lib/tus-client.mjs'

const MiB = 2 ** 20
const { values: args } = parseArgs({
  options: {
    size: { type: 'string' },
    chunk: { type: 'string' },
    reps: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (args.help) {
  console.log('node bench/checksum-parallel.mjs [--size BYTES] [--chunk BYTES] [--reps N] [--quick]')
  process.exit(0)
}
const quick = args.quick || process.env.BENCH_QUICK === '1'
const SIZE = Number(args.size ?? process.env.BENCH_SIZE ?? (quick ? 64 * MiB : 1024 * MiB))
const CHUNK = Number(args.chunk ?? process.env.BENCH_CHUNK ?? (quick ? 16 * MiB : 64 * MiB))
const REPS = Number(args.reps ?? process.env.BENCH_REPS ?? (quick ? 1 : 3))
const PARTS = 4
if (SIZE % (PARTS * 4) !== 0 || CHUNK % 4 !== 0) throw new Error('--size must divide by 16 and --chunk by 4')
if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('bench: server/dist/main.js is missing; run `npm run build` first')
  process.exit(1)
}

const data = payload(CHUNK)
function checksumOf(algorithm, bytes) {
  if (algorithm === 'crc32') {
    const out = Buffer.alloc(4)
    out.writeUInt32BE(zlib.crc32(bytes) >>> 0)
    return out.toString('base64')
  }
  return createHash(algorithm).update(bytes).digest('base64')
}

async function* repeated(size) {
  for (let sent = 0; sent < size; sent += data.length)
    yield size - sent >= data.length ? data : data.subarray(0, size - sent)
}

async function post(client, url, headers) {
  const response = await request(url, { method: 'POST', headers: { ...TUS, ...headers }, dispatcher: client })
  const location = response.headers.location
  await expectStatus(response, 201, 'creation')
  return new URL(location, url).href
}

async function remove(client, uploadUrl) {
  const response = await request(uploadUrl, { method: 'DELETE', headers: TUS, dispatcher: client })
  await response.body.dump()
}

/**
 * A SIZE upload in CHUNK PATCHes, each with Upload-Checksum of `algorithm` (or none). Returns its
 * rate and the server's CPU seconds per GiB (steadier than the rate when the cores are shared).
 */
async function chunked(server, algorithm) {
  const { url } = server
  const client = new Client(new URL(url).origin, { bodyTimeout: 0, headersTimeout: 0 })
  try {
    const uploadUrl = await post(client, url, { 'upload-length': String(SIZE) })
    const digests = new Map()
    const digestFor = (length) => {
      if (!digests.has(length)) digests.set(length, checksumOf(algorithm, data.subarray(0, length)))
      return digests.get(length)
    }
    if (algorithm !== 'off') {
      digestFor(Math.min(CHUNK, SIZE))
      digestFor(SIZE % CHUNK || CHUNK)
    }
    // The previous upload's dirty pages are written back now, not during this one.
    execSync('sync')
    const cpuBefore = readCpuSeconds(server.pid)
    const started = performance.now()
    for (let offset = 0; offset < SIZE; offset += CHUNK) {
      const length = Math.min(CHUNK, SIZE - offset)
      const headers = { ...TUS, 'content-type': OCTETS, 'upload-offset': String(offset) }
      if (algorithm !== 'off') headers['upload-checksum'] = `${algorithm} ${digestFor(length)}`
      const response = await request(uploadUrl, {
        method: 'PATCH',
        headers,
        body: data.subarray(0, length),
        dispatcher: client,
      })
      await expectStatus(response, 204, `PATCH at ${offset} (${algorithm})`)
    }
    const seconds = (performance.now() - started) / 1000
    const cpuPerGiB = (readCpuSeconds(server.pid) - cpuBefore) / (SIZE / 2 ** 30)
    await remove(client, uploadUrl)
    return { mbps: SIZE / 1e6 / seconds, seconds, cpuPerGiB }
  } finally {
    await client.close()
  }
}

/** One PATCH of `size` bytes to a new upload (created with `headers`); returns the upload URL. */
async function singlePatch(client, url, size, headers = {}) {
  const uploadUrl = await post(client, url, { 'upload-length': String(size), ...headers })
  const response = await request(uploadUrl, {
    method: 'PATCH',
    headers: { ...TUS, 'content-type': OCTETS, 'upload-offset': '0', 'content-length': String(size) },
    body: repeated(size),
    dispatcher: client,
  })
  await expectStatus(response, 204, 'PATCH')
  return uploadUrl
}

/** SIZE as 1 upload, or as PARTS partial uploads in parallel + the final concatenation. */
async function parallel(url, parts) {
  const clients = Array.from(
    { length: parts },
    () => new Client(new URL(url).origin, { bodyTimeout: 0, headersTimeout: 0 }),
  )
  try {
    const started = performance.now()
    if (parts === 1) {
      const uploadUrl = await singlePatch(clients[0], url, SIZE)
      const seconds = (performance.now() - started) / 1000
      await remove(clients[0], uploadUrl)
      return { mbps: SIZE / 1e6 / seconds, seconds, concatSeconds: 0 }
    }
    const partials = await Promise.all(
      clients.map((client) => singlePatch(client, url, SIZE / parts, { 'upload-concat': 'partial' })),
    )
    const concatStarted = performance.now()
    const final = await post(clients[0], url, { 'upload-concat': `final;${partials.join(' ')}` })
    const ended = performance.now()
    for (const uploadUrl of [final, ...partials]) await remove(clients[0], uploadUrl)
    return {
      mbps: SIZE / 1e6 / ((ended - started) / 1000),
      seconds: (ended - started) / 1000,
      concatSeconds: (ended - concatStarted) / 1000,
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()))
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
const fmt = (xs, digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`

const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-cp-'))
const server = await startContender(TUSK, {
  dataDir: path.join(runDir, 'data'),
  logFile: path.join(runDir, 'tusk.log'),
})
try {
  console.log(
    `# Checksum and parallel partials (issue 5): ${SIZE / MiB} MiB upload, ${REPS} repetition(s), load average ${os.loadavg()[0].toFixed(2)}\n`,
  )
  // off and sha256 (the issue 16 target) run back to back, first one then the other, so that their
  // per-repetition ratio compares uploads made seconds apart under the same conditions.
  const algorithms = ['off', 'sha256', 'sha1', 'md5', 'crc32']
  const checksum = Object.fromEntries(algorithms.map((a) => [a, []]))
  const cpu = Object.fromEntries(algorithms.map((a) => [a, []]))
  await chunked(server, 'off') // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? algorithms : [...algorithms].reverse()
    for (const algorithm of order) {
      const result = await chunked(server, algorithm)
      checksum[algorithm].push(result.mbps)
      cpu[algorithm].push(result.cpuPerGiB)
    }
  }
  const off = median(checksum.off)
  console.log(`## Checksum verification (${CHUNK / MiB} MiB PATCHes)\n`)
  console.log('| Upload-Checksum | MB/s median (min–max) | cost vs off | server CPU s/GiB |')
  console.log('|---|---|---|---|')
  for (const algorithm of algorithms) {
    const mbps = median(checksum[algorithm])
    const cost = algorithm === 'off' ? '—' : `${(((off - mbps) / off) * 100).toFixed(0)} % slower`
    console.log(`| ${algorithm} | ${fmt(checksum[algorithm])} | ${cost} | ${fmt(cpu[algorithm], 2)} |`)
  }

  // Issue 16: verifying sha256 keeps ≥ 0.85× the throughput without a checksum (per-rep ratio, median).
  const sha256Ratios = checksum.sha256.map((mbps, rep) => mbps / checksum.off[rep])
  const sha256Ratio = median(sha256Ratios)
  const cpuRatio = median(cpu.sha256.map((s, rep) => s / cpu.off[rep]))
  console.log(
    `\ntarget checksum-sha256-vs-off: ${sha256Ratio.toFixed(2)}× (need >= 0.85×) (reps ${sha256Ratios.map((r) => r.toFixed(2)).join(', ')}) ${sha256Ratio >= 0.85 ? 'PASS' : 'FAIL'}`,
  )
  console.log(
    `(server CPU per GiB with sha256: ${cpuRatio.toFixed(2)}× of off, ${median(cpu.sha256).toFixed(2)} vs ${median(cpu.off).toFixed(2)} s: the hash runs on the event loop, which also receives every byte)`,
  )

  const runs = { 1: [], [PARTS]: [] }
  const concat = []
  for (let rep = 0; rep < REPS; rep++) {
    for (const parts of rep % 2 === 0 ? [1, PARTS] : [PARTS, 1]) {
      const result = await parallel(server.url, parts)
      runs[parts].push(result.mbps)
      if (parts > 1) concat.push(result.concatSeconds)
    }
  }
  console.log(
    `\n## 1 vs ${PARTS} parallel partial uploads (each one PATCH; ${PARTS} includes the final concatenation)\n`,
  )
  console.log('| uploads | MB/s median (min–max) | concatenation s |')
  console.log('|---|---|---|')
  console.log(`| 1 upload | ${fmt(runs[1])} | — |`)
  console.log(`| ${PARTS} partials + final | ${fmt(runs[PARTS])} | ${fmt(concat, 2)} |`)
  console.log(`\n(${os.cpus().length} CPUs; Tusk log: ${path.join(runDir, 'tusk.log')})`)
} finally {
  await server.stop()
  rmSync(path.join(runDir, 'data'), { recursive: true, force: true })
}
