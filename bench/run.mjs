// npm run bench (its first part): Tusk against three baselines on every workload of bench/lib/plan.mjs
// (raw node:http pipe-to-file, express + multer, plain @tus/server + @tus/file-store), each started
// fresh as a child process for every measurement, interleaved (A B C D, D C B A, ...), with Tusk's
// ratio to each baseline taken per repetition. Prints a Markdown table of medians (min–max), the
// issue 16 targets as `target <name>: <value> (need <op> <x>) PASS/FAIL`, and a CPU profile summary of
// Tusk per workload. Options: node bench/run.mjs --help.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { MULTER, PLAIN, RAW, startContender, TUSK } from './lib/contenders.mjs'
import { printSummary, summarise } from './lib/cpu-profile-summary.mjs'
import { prepareDownloads } from './lib/download-fixtures.mjs'
import { fileCreationMicros, SLOW_CREATION_MICROS } from './lib/fs-probe.mjs'
import { loadOptions, USAGE } from './lib/options.mjs'
import { PLAN } from './lib/plan.mjs'
import { readMemory } from './lib/proc-memory.mjs'
import { outcomeLines, progressLine, resultTable, size } from './lib/report.mjs'
import { targetLines } from './lib/targets.mjs'

const options = loadOptions()
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}
if (!existsSync(new URL('../server/dist/main.js', import.meta.url))) {
  console.error('bench: server/dist/main.js is missing; run `npm run build` (npm run bench does it)')
  process.exit(1)
}

const CONTENDERS = { raw: RAW, multer: MULTER, plain: PLAIN, tusk: TUSK }
const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-'))
const dirs = Object.fromEntries(
  [...Object.keys(CONTENDERS), 'downloads'].map((name) => [name, path.join(runDir, `${name}-data`)]),
)
const ctx = { downloads: undefined, forget: undefined }

// A big upload's file is deleted once measured (after its server stopped): a few GiB of them would
// otherwise fill the page cache and the disk. Small uploads are kept until the run ends: deleting
// thousands of files makes every file creation on this ext4 slow for minutes (bench-notes).
const bigFiles = []
function forgetter(contender) {
  return (result) => {
    const id = result.uploadUrl.slice(result.uploadUrl.lastIndexOf('/') + 1)
    bigFiles.push(path.join(dirs[contender.name], id), path.join(dirs[contender.name], `${id}.json`))
    const { uploadUrl: _, ...figures } = result
    return figures
  }
}

function header() {
  const cpu = os.cpus()
  const o = options
  return [
    `Tusk benchmark — ${new Date().toISOString()}`,
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    `node ${process.version}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `repetitions ${o.reps}${o.quick ? ' (quick smoke run)' : ''}; workloads ${o.workloads.join(', ')}`,
    `sizes: big ${size(o.bigSize)} in ${size(o.chunkSize)} chunks; ${o.smallCount} × ${size(o.smallSize)} and ${o.mediumCount} × ${size(o.mediumSize)} at c=${o.concurrency}; ` +
      `slow ${o.slowCount}; crowds ${o.crowdCount}/${o.crowdPeakCount}; downloads ${o.downloadCount} GETs of ${o.downloadFiles} files at c=${o.downloadConcurrency}, ${o.ttfbConcurrency} at once`,
    `Tusk: node ${TUSK.nodeArgs.join(' ')} server/dist/main.js --log-level info (log to a file); plain: bench/servers/plain-tus.mjs; ` +
      'raw: bench/servers/raw-pipe.mjs; multer: bench/servers/express-multer.mjs; client: undici (keep-alive pools) and raw sockets for the crowds, same machine',
    `data and logs: ${runDir}`,
  ].join('\n')
}

const running = new Set()
async function withServer(contender, workload, extraNodeArgs, body) {
  spawnSync('sync') // start each measurement without the previous one's dirty pages still being written
  const dataDir = PLAN[workload].dataDir === 'downloads' ? dirs.downloads : dirs[contender.name]
  const server = await startContender(contender, {
    dataDir,
    logFile: path.join(runDir, `${contender.name}.log`),
    extraNodeArgs,
  })
  running.add(server)
  try {
    const result = await body(server)
    if (!server.alive) throw new Error(`${contender.label} died during ${workload}`)
    // The kernel's high-water mark of the fresh process: its peak over the whole measurement.
    if (result && result.peakRss === undefined) result.peakRss = readMemory(server.pid).hwm
    return result
  } finally {
    await server.stop()
    running.delete(server)
    for (const file of bigFiles.splice(0)) if (existsSync(file)) unlinkSync(file)
  }
}

async function measure(contender, workload) {
  return withServer(contender, workload, [], async (server) => {
    ctx.forget = forgetter(contender)
    return PLAN[workload].run(server, contender, options, ctx)
  })
}

/** One more, untimed run of Tusk under node --cpu-prof; prints where its CPU time went. */
async function profile(workload) {
  const profDir = path.join(runDir, `profile-${workload}`)
  await withServer(TUSK, workload, ['--cpu-prof', `--cpu-prof-dir=${profDir}`], async (server) => {
    ctx.forget = forgetter(TUSK)
    await PLAN[workload].run(server, TUSK, options, ctx)
  })
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) return console.log(`(no CPU profile written for ${workload})`)
  printSummary(
    `CPU profile of Tusk, ${workload}`,
    summarise(path.join(profDir, file), { top: 8, skipModuleLoading: true }),
    PLAN[workload].units(options),
  )
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
  const reps = Math.max(
    ...options.workloads.map((w) => Math.min(options.reps, PLAN[w].maxReps ?? options.reps)),
  )
  for (let rep = 0; rep < reps; rep++) {
    for (const workload of options.workloads) {
      const plan = PLAN[workload]
      if (rep >= Math.min(options.reps, plan.maxReps ?? options.reps)) continue
      if (plan.dataDir === 'downloads' && !ctx.downloads) {
        ctx.downloads = await prepareDownloads({
          dir: dirs.downloads,
          logFile: path.join(runDir, 'tusk.log'),
          options,
        })
      }
      const order = rep % 2 === 0 ? plan.contenders : [...plan.contenders].reverse()
      const pair = {}
      for (const name of order) pair[name] = await measure(CONTENDERS[name], workload)
      results[workload].push(pair)
      console.log(progressLine(workload, rep, pair))
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
    '\nMedian (min–max) over the repetitions. Ratio > 1 means Tusk did better than that baseline on the ' +
      'same repetition (throughput Tusk/baseline; latency, CPU and memory baseline/Tusk).\n',
  )
  console.log(resultTable(results, options))
  const outcomes = outcomeLines(results)
  if (outcomes.length) console.log(`\nWhat the crowds' clients saw:\n${outcomes.join('\n')}`)
  console.log(`\nTargets (issue 16), medians of per-repetition figures:\n${targetLines(results).join('\n')}`)
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ options, results }, null, 2)}\n`)
  if (options.profile) {
    console.log(
      '\nCPU profiles of Tusk (one more, untimed run per workload under node --cpu-prof; module loading left out):',
    )
    for (const workload of options.workloads) if (PLAN[workload].profile !== false) await profile(workload)
  }
}

const cleanUp = async () => {
  for (const server of running) await server.stop()
  if (options.keep) return
  rmSync(runDir, { recursive: true, force: true })
  if (!options.quick) {
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
