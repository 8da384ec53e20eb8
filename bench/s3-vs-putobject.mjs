// Issue 6 benchmark: what Tusk's S3 store costs over writing the same bytes to the same S3 service
// yourself. For each repetition, interleaved:
//   PutObject   one S3 PutObject of SIZE bytes (@aws-sdk/client-s3, body in memory): the floor.
//   tusk-1      Tusk --store s3: POST, then the SIZE bytes as one PATCH (Tusk cuts it into
//               --part-size multipart parts, each streamed to S3 as it arrives, and completes the object).
//   tusk-chunk  the same upload as CHUNK-sized PATCHes, as a resumable client sends it.
// Time runs from the first request to the last answer (for Tusk: until the object is complete in S3).
// Prints medians (min-max) in MB/s (MB = 10^6 bytes) and the ratio of each Tusk time to PutObject's
// (issue 16 targets: one PATCH <= 1.15, CHUNK PATCHes <= 1.5), then the S3 requests Tusk made per
// CHUNK PATCH with their mean time (from Tusk's TUSK_S3_TRACE lines): where a PATCH's time goes.
//
//   scripts/s3-start.sh && source /tmp/tusk-s3/s3.env && npm run build && node bench/s3-vs-putobject.mjs
//   options: --size BYTES --chunk BYTES --part-size BYTES --reps N --quick   (env BENCH_SIZE, BENCH_CHUNK,
//            BENCH_PART_SIZE, BENCH_REPS, BENCH_QUICK=1)
// Each run uses a bucket of its own, emptied and deleted at the end. Tusk runs as a child process
// (server/dist/main.js, as `npm start` runs it) with its log at info level in a file under /tmp.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { S3 } from '@aws-sdk/client-s3'
import { Client, request } from 'undici'
import { startContender, TUSK } from './lib/contenders.mjs'
import { max, median, min } from './lib/stats.mjs'
import { createUpload, expectStatus, OCTETS, payload, TUS } from './lib/tus-client.mjs'

const MiB = 2 ** 20
const { values: args } = parseArgs({
  options: {
    size: { type: 'string' },
    chunk: { type: 'string' },
    'part-size': { type: 'string' },
    reps: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (args.help) {
  console.log(
    'node bench/s3-vs-putobject.mjs [--size BYTES] [--chunk BYTES] [--part-size BYTES] [--reps N] [--quick]',
  )
  process.exit(0)
}
const quick = args.quick || process.env.BENCH_QUICK === '1'
const SIZE = Number(args.size ?? process.env.BENCH_SIZE ?? (quick ? 32 * MiB : 256 * MiB))
const CHUNK = Number(args.chunk ?? process.env.BENCH_CHUNK ?? 8 * MiB)
const PART_SIZE = Number(args['part-size'] ?? process.env.BENCH_PART_SIZE ?? 8 * MiB)
const REPS = Number(args.reps ?? process.env.BENCH_REPS ?? (quick ? 1 : 3))

const missing = ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'].filter((name) => !process.env[name])
if (missing.length > 0) {
  console.error(
    `bench: ${missing.join(', ')} not set; run scripts/s3-start.sh and source /tmp/tusk-s3/s3.env`,
  )
  process.exit(1)
}
if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('bench: server/dist/main.js is missing; run `npm run build` first')
  process.exit(1)
}

const endpoint = process.env.S3_ENDPOINT
const region = process.env.S3_REGION || 'us-east-1'
const accessKeyId = process.env.S3_ACCESS_KEY
const secretAccessKey = process.env.S3_SECRET_KEY
const s3 = new S3({
  endpoint,
  region,
  forcePathStyle: true,
  credentials: { accessKeyId, secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
})
const bucket = `tusk-bench-${randomBytes(4).toString('hex')}`
const data = payload(SIZE)

async function* slices(chunkSize) {
  for (let at = 0; at < SIZE; at += chunkSize) yield data.subarray(at, Math.min(SIZE, at + chunkSize))
}

async function putObject() {
  const key = `put-${randomBytes(8).toString('hex')}`
  const started = performance.now()
  await s3.putObject({ Bucket: bucket, Key: key, Body: data, ContentLength: SIZE })
  const ms = performance.now() - started
  await s3.deleteObject({ Bucket: bucket, Key: key })
  return ms
}

/** A SIZE upload through Tusk in PATCHes of `chunkSize`; checks the object's size in S3 afterwards. */
async function throughTusk(tusk, chunkSize) {
  const client = new Client(tusk.origin, { bodyTimeout: 0, headersTimeout: 0 })
  try {
    const started = performance.now()
    const uploadUrl = await createUpload(tusk.url, SIZE, client)
    let offset = 0
    for await (const slice of slices(chunkSize)) {
      const response = await request(uploadUrl, {
        method: 'PATCH',
        headers: {
          ...TUS,
          'upload-offset': String(offset),
          'content-type': OCTETS,
          'content-length': String(slice.length),
        },
        body: slice,
        dispatcher: client,
      })
      await expectStatus(response, 204, `PATCH at ${offset}`)
      offset += slice.length
    }
    const ms = performance.now() - started
    const id = new URL(uploadUrl).pathname.split('/').pop()
    const head = await s3.headObject({ Bucket: bucket, Key: id })
    if (head.ContentLength !== SIZE) throw new Error(`Tusk stored ${head.ContentLength} bytes, not ${SIZE}`)
    await expectStatus(
      await request(uploadUrl, { method: 'DELETE', headers: TUS, dispatcher: client }),
      204,
      'DELETE',
    )
    return ms
  } finally {
    await client.close()
  }
}

async function emptyAndDeleteBucket() {
  const open = await s3.listMultipartUploads({ Bucket: bucket })
  for (const u of open.Uploads ?? [])
    await s3.abortMultipartUpload({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })
  for (;;) {
    const page = await s3.listObjectsV2({ Bucket: bucket })
    if (!page.Contents?.length) break
    await s3.deleteObjects({
      Bucket: bucket,
      Delete: { Objects: page.Contents.map((o) => ({ Key: o.Key })), Quiet: true },
    })
  }
  await s3.deleteBucket({ Bucket: bucket })
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-s3-'))
const logFile = path.join(workDir, 'tusk.log')
const contender = {
  ...TUSK,
  args: (port, dir) => [
    ...TUSK.args(port, dir),
    '--store',
    's3',
    '--s3-bucket',
    bucket,
    '--s3-endpoint',
    endpoint,
    '--s3-region',
    region,
    '--s3-force-path-style',
    'true',
    '--s3-part-size',
    String(PART_SIZE),
  ],
}
// Keys through the environment, not the command line (where `ps` shows them).
process.env.TUSK_S3_ACCESS_KEY_ID = accessKeyId
process.env.TUSK_S3_SECRET_ACCESS_KEY = secretAccessKey
// Tusk logs every S3 request it makes (s3-trace lines, server/src/stores/s3-trace.ts): summed per
// PATCH below, to show where a PATCH's time goes.
process.env.TUSK_S3_TRACE = '1'

let traceRead = 0
/** The S3 requests Tusk logged since the last call: per command, how many and their summed time. */
function s3RequestsSinceLastCall() {
  const text = readFileSync(logFile, 'utf8')
  const fresh = text.slice(traceRead)
  traceRead = text.length
  const byCommand = new Map()
  for (const line of fresh.split('\n')) {
    const at = line.indexOf('s3-trace ')
    if (at < 0) continue
    const { command, ok: _ok, ...times } = JSON.parse(line.slice(at + 9))
    const entry = byCommand.get(command) ?? { count: 0, ms: 0, phases: {} }
    entry.count++
    for (const [name, ms] of Object.entries(times)) {
      if (name === 'ms') entry.ms += ms
      else entry.phases[name] = (entry.phases[name] ?? 0) + ms
    }
    byCommand.set(command, entry)
  }
  return byCommand
}

const mb = (ms) => SIZE / 1e6 / (ms / 1000)
const fmt = (values, f, digits) =>
  `${f(median(values)).toFixed(digits)} (${f(max(values)).toFixed(digits)}-${f(min(values)).toFixed(digits)})`

await s3.createBucket({ Bucket: bucket })
let tusk
try {
  tusk = await startContender(contender, { dataDir: path.join(workDir, 'data'), logFile })
  const times = { put: [], tusk1: [], tuskChunk: [] }
  // Warm-up (connections, JIT, RGW's first writes to a new bucket); not counted.
  await putObject()
  await throughTusk(tusk, SIZE)
  const chunkRequests = new Map()
  for (let rep = 0; rep < REPS; rep++) {
    times.put.push(await putObject())
    times.tusk1.push(await throughTusk(tusk, SIZE))
    s3RequestsSinceLastCall()
    times.tuskChunk.push(await throughTusk(tusk, CHUNK))
    for (const [command, { count, ms, phases }] of s3RequestsSinceLastCall()) {
      const entry = chunkRequests.get(command) ?? { count: 0, ms: 0, phases: {} }
      entry.count += count
      entry.ms += ms
      for (const [name, value] of Object.entries(phases))
        entry.phases[name] = (entry.phases[name] ?? 0) + value
      chunkRequests.set(command, entry)
    }
    process.stderr.write(`rep ${rep + 1}/${REPS} done\n`)
  }
  const sizeLabel = `${(SIZE / MiB).toFixed(0)} MiB`
  console.log(
    `\nS3 store vs direct PutObject: ${sizeLabel}, ${REPS} rep(s), S3 at ${endpoint}, Tusk part size ${PART_SIZE / MiB} MiB`,
  )
  console.log('median (worst-best)                        MB/s        time / PutObject time')
  const ratio = (values) =>
    fmt(
      values.map((ms, i) => ms / times.put[i]),
      (x) => x,
      2,
    )
  console.log(`PutObject, one request                  ${fmt(times.put, (ms) => mb(ms), 0).padEnd(14)} 1.00`)
  console.log(
    `Tusk, one PATCH                         ${fmt(times.tusk1, (ms) => mb(ms), 0).padEnd(14)} ${ratio(times.tusk1)}`,
  )
  console.log(
    `Tusk, ${(CHUNK / MiB).toFixed(0)} MiB PATCHes`.padEnd(40) +
      `${fmt(times.tuskChunk, (ms) => mb(ms), 0).padEnd(14)} ${ratio(times.tuskChunk)}`,
  )
  // Where a chunked upload's time goes: the S3 requests Tusk made, per PATCH (their times overlap
  // when requests run at once, e.g. parts of one PATCH).
  const patches = REPS * Math.ceil(SIZE / CHUNK)
  const perPatchMs = median(times.tuskChunk) / Math.ceil(SIZE / CHUNK)
  console.log(
    `\nper ${(CHUNK / MiB).toFixed(0)} MiB PATCH: ${perPatchMs.toFixed(1)} ms client-side (median rep); ` +
      `PutObject of the same bytes ${(median(times.put) / Math.ceil(SIZE / CHUNK)).toFixed(1)} ms. S3 requests (and store writes) by Tusk per PATCH:`,
  )
  for (const [command, { count, ms, phases }] of [...chunkRequests].sort((a, b) => b[1].ms - a[1].ms)) {
    // `write` is the store's write() of one PATCH body, with its phases (server/src/stores/s3-datastore.ts).
    const detail = Object.entries(phases)
      .map(([name, value]) => `${name} ${(value / count).toFixed(1)}`)
      .join(', ')
    console.log(
      `  ${command.replace(/Command$/, '').padEnd(28)} ${(count / patches).toFixed(2)} x, ${(ms / count).toFixed(1)} ms each${detail ? ` (${detail})` : ''}`,
    )
  }
} finally {
  await tusk?.stop()
  await emptyAndDeleteBucket().catch((error) =>
    console.error(`bench: could not delete bucket ${bucket}: ${error.message}`),
  )
  rmSync(workDir, { recursive: true, force: true })
}
