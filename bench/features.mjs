// What Tusk's optional features cost on the hot path, measured side by side in one interleaved run:
// 1 KiB creation-with-upload uploads at c=64 against Tusk with metrics off (the reference), with
// metrics on (the default), with HS256 authentication (every request carries a bearer token), and
// with metrics plus one signed post-finish webhook per upload to a receiver on loopback.
//   node bench/features.mjs [--reps N] [--count N] [--only metrics,auth,hooks] [--keep]
// (--keep: leave the servers' data and logs; by default they are removed at the end, ~500 MB a run.)
// (--only: those variants and the reference, e.g. `--reps 3 --only hooks` for a quick look).
// Prints, per variant, uploads/s, p99 and server CPU per upload, and the median of per-rep ratios
// to the reference (targets: auth ≥ 0.9×, hooks + metrics ≥ 0.9×). For the webhook variant also how
// many events the receiver had when the uploads ended, how long the rest took (the delivery lag),
// and the server CPU per upload counting that backlog's delivery too (work left in an outbox is
// cost deferred, not saved). Then the floor under any per-event webhook: Tusk's own signed POST of a
// real event's body to the same receiver, alone (bench/servers/webhook-sender.mjs), and the machine
// CPU that one exchange costs against what the ≤ 10 % target leaves per upload.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SignJWT } from 'jose'
import { startContender, TUSK, variant } from './lib/contenders.mjs'
import { readCpuSeconds, readMachineCpuSeconds } from './lib/proc-cpu.mjs'
import { smallUploads } from './workloads/small-uploads.mjs'

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    count: { type: 'string', default: '3000' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const reps = Number(values.reps)
const count = Number(values.count)
const SECRET = 'bench-secret-bench-secret-bench-secret-0123'
const HOOK_SECRET = `whsec_${Buffer.from('bench-hook-secret-0123456789abcdef').toString('base64')}`

const WARMUP = 300
/** How long the run waits, after the uploads, for the webhook events still in the outbox. */
const DRAIN_LIMIT_MS = 60_000

// The webhook receiver (bench/servers/webhook-receiver.mjs): a process of its own that checks each
// delivery's signature, counts deliveries and distinct webhook-ids (a repeated id is a duplicate
// delivery) and answers 204. Its CPU is measured apart from Tusk's: it is the application's cost.
const receiver = fork(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers/webhook-receiver.mjs'),
  ['--secret', HOOK_SECRET],
)
const replies = []
receiver.on('message', (message) => replies.shift()?.(message))
/** Sends the receiver a message and resolves with its answer (answers come in order). */
const ask = (message) =>
  new Promise((resolve) => {
    replies.push(resolve)
    receiver.send(message)
  })
const { port: receiverPort } = await ask({})
const hookUrl = `http://127.0.0.1:${receiverPort}/hooks`

const token = await new SignJWT({ sub: 'bench' })
  .setProtectedHeader({ alg: 'HS256' })
  .setExpirationTime('2h')
  .sign(new TextEncoder().encode(SECRET))

const ALL_VARIANTS = [
  {
    contender: variant(TUSK, { name: 'reference', label: 'metrics off', extraArgs: ['--metrics', 'false'] }),
  },
  { contender: variant(TUSK, { name: 'metrics', label: 'metrics on (default)', extraArgs: [] }) },
  {
    contender: variant(TUSK, {
      name: 'auth',
      label: 'HS256 auth, metrics off',
      extraArgs: ['--metrics', 'false', '--jwt-secret', SECRET],
    }),
    headers: { authorization: `Bearer ${token}` },
  },
  {
    contender: variant(TUSK, {
      name: 'hooks',
      label: 'metrics + post-finish webhook',
      extraArgs: ['--hooks-url', hookUrl, '--hooks-events', 'post-finish', '--hooks-secret', HOOK_SECRET],
    }),
    webhooks: true,
  },
]

const only = values.only ? new Set(['reference', ...values.only.split(',')]) : undefined
const VARIANTS = ALL_VARIANTS.filter((v) => !only || only.has(v.contender.name))

const runDir = mkdtempSync(path.join(os.tmpdir(), 'tusk-bench-features-'))
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `Tusk feature costs — ${new Date().toISOString()}; node ${process.version}; load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
console.log(
  `${count} × 1 KiB creation-with-upload at c=64 per measurement, ${reps} interleaved reps; data ${runDir}`,
)
const results = Object.fromEntries(VARIANTS.map((v) => [v.contender.name, []]))
for (let rep = 0; rep < reps; rep++) {
  const order = rep % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
  for (const { contender, headers, webhooks } of order) {
    const server = await startContender(contender, {
      dataDir: path.join(runDir, `${contender.name}-${rep}`),
      logFile: path.join(runDir, `${contender.name}.log`),
    })
    try {
      if (webhooks) await ask({ reset: true })
      const receiverCpuBefore = readCpuSeconds(receiver.pid)
      const result = await smallUploads({
        url: server.url,
        pid: server.pid,
        size: 1024,
        count,
        warmup: WARMUP,
        concurrency: 64,
        headers,
      })
      let line = `  rep ${rep + 1} ${contender.label.padEnd(30)} ${result.rate.toFixed(0)} uploads/s, p99 ${result.p99.toFixed(1)} ms, ${result.cpuUs.toFixed(0)} µs CPU/upload (event loop ${result.loopCpuUs.toFixed(0)}); machine ${result.machineCpuUs.toFixed(0)} µs/upload, ${(100 * result.machineBusy).toFixed(0)}% busy`
      if (webhooks) {
        // Every upload (warm-up included) finished once: that many post-finish events were produced.
        const produced = count + WARMUP
        const atEnd = (await ask({ count: true })).distinct
        const cpuBefore = readCpuSeconds(server.pid)
        const drainStart = performance.now()
        let counted = await ask({ count: true })
        while (counted.distinct < produced && performance.now() - drainStart < DRAIN_LIMIT_MS) {
          await sleep(10)
          counted = await ask({ count: true })
        }
        const lagMs = counted.distinct < produced ? Number.NaN : performance.now() - drainStart
        result.delivery = {
          produced,
          atEnd,
          lagMs,
          after: counted.distinct,
          duplicates: counted.delivered - counted.distinct,
          invalid: counted.invalid,
          cpuWithBacklogUs: result.cpuUs + ((readCpuSeconds(server.pid) - cpuBefore) * 1e6) / count,
          // Every delivery of the rep (warm-up included), per event.
          receiverCpuUs: ((readCpuSeconds(receiver.pid) - receiverCpuBefore) * 1e6) / produced,
        }
        const d = result.delivery
        line += `; webhooks ${d.atEnd}/${d.produced} delivered when the uploads ended, ${Number.isNaN(d.lagMs) ? `only ${d.after} after ${DRAIN_LIMIT_MS / 1000} s` : `all ${d.lagMs.toFixed(0)} ms later`}, ${d.duplicates} duplicates, ${d.invalid} bad signatures, ${d.cpuWithBacklogUs.toFixed(0)} µs CPU/upload with the backlog; receiver ${d.receiverCpuUs.toFixed(0)} µs CPU/event`
      }
      results[contender.name].push(result)
      console.log(line)
    } finally {
      await server.stop()
    }
  }
}
console.log(
  '\n| variant | uploads/s (median) | ratio to metrics off (median of per-rep ratios) | p99 ms | server CPU µs/upload | of it the event loop | machine CPU µs/upload (busy) |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const { contender } of VARIANTS) {
  const rows = results[contender.name]
  const ratios = rows.map((row, i) => row.rate / results.reference[i].rate)
  const m = (key) => median(rows.map((r) => r[key]))
  console.log(
    `| ${contender.label} | ${m('rate').toFixed(0)} | ${median(ratios).toFixed(2)} | ${m('p99').toFixed(1)} | ${m('cpuUs').toFixed(0)} | ${m('loopCpuUs').toFixed(0)} | ${m('machineCpuUs').toFixed(0)} (${(100 * m('machineBusy')).toFixed(0)}%) |`,
  )
}
// The webhook's own cost, apart from the metrics it runs with: against metrics on (the default).
if (results.hooks && results.metrics) {
  const ratios = results.hooks.map((row, i) => row.rate / results.metrics[i].rate)
  console.log(
    `\nwebhook alone (metrics + webhook to metrics on, median of per-rep ratios): ${median(ratios).toFixed(2)}`,
  )
}
const deliveries = (results.hooks ?? []).map((r) => r.delivery)
if (deliveries.length > 0)
  console.log(
    `\nwebhooks (per rep: delivered when the uploads ended / produced, lag until all delivered, server CPU/upload with the backlog, receiver CPU/event): ${deliveries
      .map(
        (d) =>
          `${d.atEnd}/${d.produced}, ${Number.isNaN(d.lagMs) ? `not all within ${DRAIN_LIMIT_MS / 1000} s (${d.after})` : `${d.lagMs.toFixed(0)} ms`}, ${d.cpuWithBacklogUs.toFixed(0)} µs, ${d.receiverCpuUs.toFixed(0)} µs`,
      )
      .join('; ')}`,
  )

// The floor: what one bare exchange (no event, no outbox, no upload) costs this machine, sender and
// receiver, against the budget the target leaves. With the machine equally busy in every variant (it
// is, within a point), throughput goes as 1 / machine CPU per upload, so a ratio ≥ 0.9 needs the
// webhook and the metrics to add at most 1/0.9 − 1 = 11.1 % of the reference's machine CPU per upload.
if (results.hooks) {
  const { body } = await ask({ sample: true })
  const sender = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'servers/webhook-sender.mjs'))
  const send = (n) =>
    new Promise((resolve) => {
      sender.once('message', resolve)
      sender.send({ url: hookUrl, secret: HOOK_SECRET, body, count: n })
    })
  await send(2_000) // warm-up: connections open, code optimised
  const n = 20_000
  const machineBefore = readMachineCpuSeconds()
  const senderBefore = readCpuSeconds(sender.pid)
  const receiverBefore = readCpuSeconds(receiver.pid)
  const sent = await send(n)
  const machineAfter = readMachineCpuSeconds()
  const perExchange = (seconds) => (seconds * 1e6) / n
  const machineUs = perExchange(machineAfter.busy - machineBefore.busy)
  const budgetUs = median(results.reference.map((r) => r.machineCpuUs)) * (1 / 0.9 - 1)
  // What metrics add in this run (metrics on against off), when both ran: the webhook comes on top.
  const metricsUs = results.metrics
    ? median(results.metrics.map((r) => r.machineCpuUs)) -
      median(results.reference.map((r) => r.machineCpuUs))
    : undefined
  console.log(
    `\nfloor: one bare webhook exchange (Tusk's signed POST of a ${Buffer.byteLength(body)}-byte post-finish body through its pool, 32 in flight, ${n} exchanges, ${sent.failed} failed, ${(n / sent.seconds).toFixed(0)}/s): machine ${machineUs.toFixed(0)} µs (${(100 * ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total))).toFixed(0)}% busy), of it the sender ${perExchange(readCpuSeconds(sender.pid) - senderBefore).toFixed(0)} µs and the receiver ${perExchange(readCpuSeconds(receiver.pid) - receiverBefore).toFixed(0)} µs; the ≤ 10 % target leaves ${budgetUs.toFixed(0)} µs of machine CPU per upload (11.1 % of metrics off's) for the exchange, the event, its outbox write and the metrics${metricsUs === undefined ? '' : `; the exchange and the metrics alone (+${metricsUs.toFixed(0)} µs in this run) need ${(machineUs + metricsUs).toFixed(0)} µs`}`,
  )
  sender.disconnect()
}
receiver.disconnect()
if (values.keep) console.log(`data and logs: ${runDir}`)
else rmSync(runDir, { recursive: true, force: true })
