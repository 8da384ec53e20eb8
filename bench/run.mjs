// npm run bench: Tusk against plain @tus/server + @tus/file-store on node:http, each started fresh
// as a child process for every measurement, interleaved (A B, B A, ...), with a ratio taken per
// repetition. Prints a Markdown table of medians (min–max). Options: node bench/run.mjs --help.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PLAIN, startContender, TUSK } from './lib/contenders.mjs'
import { fileCreationMicros, SLOW_CREATION_MICROS } from './lib/fs-probe.mjs'
import { loadOptions, USAGE } from './lib/options.mjs'
import { METRICS, ratioOf, resultTable, size } from './lib/report.mjs'
import { bigUpload } from './workloads/big-upload.mjs'
import { slowUploads } from './workloads/slow-uploads.mjs'
import { smallUploads } from './workloads/small-uploads.mjs'

const options = loadOptions()
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}
if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('bench: server/dist/main.js is missing; run `npm run build` (npm run bench does it)')
  process.exit(1)
}

const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-'))
const dirs = {
  tusk: path.join(runDir, 'tusk-data'),
  plain: path.join(runDir, 'plain-data'),
}

const WORKLOAD_RUNNERS = {
  'patch-1': (server, c) =>
    bigUpload({ url: server.url, pid: server.pid, size: options.bigSize, chunkSize: 0 }).then(forget(c)),
  'patch-8m': (server, c) =>
    bigUpload({ url: server.url, pid: server.pid, size: options.bigSize, chunkSize: options.chunkSize }).then(
      forget(c),
    ),
  small: (server) =>
    smallUploads({
      url: server.url,
      pid: server.pid,
      size: options.smallSize,
      count: options.smallCount,
      warmup: options.smallWarmup,
      concurrency: options.concurrency,
    }),
  slow: (server) =>
    slowUploads({
      url: server.url,
      pid: server.pid,
      count: options.slowCount,
      chunk: options.slowChunk,
      chunks: options.slowChunks,
      intervalMs: options.slowIntervalMs,
    }),
}

// A big upload's file is deleted once measured (after its server stopped): a few GiB of them would
// otherwise fill the page cache and the disk. Small uploads are kept until the run ends: deleting
// thousands of files makes every file creation on this ext4 slow for minutes (bench-notes).
const bigFiles = []
function forget(contender) {
  return (result) => {
    const id = result.uploadUrl.slice(result.uploadUrl.lastIndexOf('/') + 1)
    bigFiles.push(path.join(dirs[contender.name], id), path.join(dirs[contender.name], `${id}.json`))
    return { mbps: result.mbps, seconds: result.seconds, cpuPerGiB: result.cpuPerGiB }
  }
}

function header() {
  const cpu = os.cpus()
  return [
    `Tusk benchmark — ${new Date().toISOString()}`,
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `node ${process.version}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `repetitions ${options.reps}${options.quick ? ' (quick smoke run)' : ''}; big upload ${size(options.bigSize)}, chunks ${size(options.chunkSize)}; ` +
      `${options.smallCount} × ${size(options.smallSize)} at c=${options.concurrency} (+${options.smallWarmup} warm-up); ` +
      `${options.slowCount} slow uploads of ${options.slowChunks} × ${size(options.slowChunk)} every ${options.slowIntervalMs} ms`,
    `Tusk: node ${TUSK.nodeArgs.join(' ')} server/dist/main.js --log-level info (log to a file); plain: node bench/servers/plain-tus.mjs`,
    `data and logs: ${runDir}`,
  ].join('\n')
}

const running = new Set()
async function measure(contender, workload) {
  spawnSync('sync') // start each measurement without the previous one's dirty pages still being written
  const server = await startContender(contender, {
    dataDir: dirs[contender.name],
    logFile: path.join(runDir, `${contender.name}.log`),
  })
  running.add(server)
  try {
    const result = await WORKLOAD_RUNNERS[workload](server, contender)
    if (!server.alive) throw new Error(`${contender.label} died during ${workload}`)
    return result
  } finally {
    await server.stop()
    running.delete(server)
    for (const file of bigFiles.splice(0)) if (existsSync(file)) unlinkSync(file)
  }
}

function progress(workload, rep, pair) {
  const parts = METRICS.filter((m) => m.workload === workload).map((m) => {
    const scale = m.scale ?? 1
    const f = (v) => (v * scale).toFixed(m.digits)
    return `${m.key} plain ${f(pair.plain[m.key])} tusk ${f(pair.tusk[m.key])} ×${ratioOf(m, pair.tusk[m.key], pair.plain[m.key]).toFixed(2)}`
  })
  console.log(`  rep ${rep + 1} ${workload.padEnd(8)} ${parts.join('; ')}`)
}

function probe(when) {
  const micros = fileCreationMicros(path.join(runDir, `fs-probe-${when}`))
  const slow = micros > SLOW_CREATION_MICROS
  console.log(
    `file creation ${when}: ${micros.toFixed(0)} µs per file` +
      (slow
        ? ' — SLOW: many files were deleted recently on this filesystem; small-upload figures will be off'
        : ''),
  )
}

async function main() {
  console.log(header())
  probe('at start')
  const results = Object.fromEntries(options.workloads.map((w) => [w, []]))
  const started = Date.now()
  for (let rep = 0; rep < options.reps; rep++) {
    const order = rep % 2 === 0 ? [PLAIN, TUSK] : [TUSK, PLAIN]
    for (const workload of options.workloads) {
      const pair = {}
      for (const contender of order) pair[contender.name] = await measure(contender, workload)
      results[workload].push(pair)
      progress(workload, rep, pair)
    }
  }
  probe('at end')
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  console.log(
    `\nload average at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; took ${minutes} min`,
  )
  console.log(
    `\nMedian (min–max) over ${options.reps} repetition(s). Ratio > 1 means Tusk did better ` +
      '(throughput Tusk/plain; latency and memory plain/Tusk).\n',
  )
  console.log(resultTable(results, options))
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ options, results }, null, 2)}\n`)
}

const cleanUp = async () => {
  for (const server of running) await server.stop()
  if (options.keep) return
  rmSync(runDir, { recursive: true, force: true })
  if (options.workloads.includes('small') && !options.quick) {
    console.log(
      `removed ${runDir}: file creation on this filesystem may be slow for a few minutes (bench-notes)`,
    )
  }
}
process.on('SIGINT', () => cleanUp().then(() => process.exit(130)))

main().then(cleanUp, async (error) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : error}`)
  await cleanUp()
  process.exit(1)
})
