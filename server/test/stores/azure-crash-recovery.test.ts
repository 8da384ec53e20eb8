import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { freePort } from '../../../test-support/ports.js'
import { AZURE_CALL_TIMEOUT_MS } from '../../src/stores/azure-timeout.js'
import { type FaultProxy, startFaultProxy } from '../faults/harness/fault-proxy.js'
import { MiB, waitUntil } from '../faults/harness/proc-stats.js'
import { type Answer, tusRequest } from '../faults/harness/tus-requests.js'
import { files, summarize, tusUpload } from '../faults/harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from '../faults/harness/tusk-server.js'

// The built server on --store azure, against an Azurite of this file's own (scripts/azurite-start.sh,
// blobs on disk, so they outlive a restart): the server SIGKILLed mid-upload and restarted, and
// Azurite stopped (or paused) mid-upload and started again. Every upload must resume (none started
// over) and end byte-exact; while Azurite is down every request is answered (at once, or within the
// Azure call timeout when it is paused): 503 with Retry-After, and 423 for HEAD (tus clients start an
// upload over on any other answer to HEAD).

const scripts = fileURLToPath(new URL('../../../scripts/', import.meta.url))
let azuritePort = 0
let azuriteDir = ''
const azurite = (script: 'azurite-start.sh' | 'azurite-stop.sh') =>
  execFileSync(path.join(scripts, script), [String(azuritePort), azuriteDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })

let args: string[] = []
// Each test's own server (the test kit kills it after the test) behind its own throttling proxy.
let tusk: TuskProcess | undefined
let proxy: FaultProxy | undefined
beforeEach(async () => {
  tusk = await startTusk(args)
  proxy = await startFaultProxy({ port: tusk.port })
})
afterEach(async () => {
  await proxy?.close()
  await killTree(tusk)
})
beforeAll(async () => {
  azuritePort = await freePort()
  azuriteDir = await mkdtemp(path.join(tmpdir(), 'tusk-azure-crash-'))
  const env = Object.fromEntries(
    azurite('azurite-start.sh')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  )
  args = [
    '--store=azure',
    `--azure-container=crash-${process.pid}`,
    `--azure-account=${env.AZURE_ACCOUNT_NAME}`,
    `--azure-account-key=${env.AZURE_ACCOUNT_KEY}`,
    `--azure-endpoint=${env.AZURE_BLOB_ENDPOINT}`,
    '--log-level=warn',
  ]
})
afterAll(async () => {
  if (azuriteDir) {
    azurite('azurite-stop.sh')
    await rm(azuriteDir, { recursive: true, force: true })
  }
})

it('resumes every upload byte-exact after the server is SIGKILLed mid-upload and restarted', async () => {
  const wire = proxy as FaultProxy
  const port = (tusk as TuskProcess).port
  wire.rate = 1 * MiB // per connection: every upload is in flight when the kill comes
  const startBytes = wire.bytesUp
  const data = files(12, 3 * MiB, 21)
  const total = data.length * 3 * MiB
  const running = data.map((file) => tusUpload(`${wire.origin}/files`, file, { timeoutMs: 90_000 }))
  await waitUntil(() => wire.bytesUp - startBytes > total * 0.35, 60_000, 'a third of the bytes sent')
  await (tusk as TuskProcess).stop('SIGKILL')
  await new Promise((resolve) => setTimeout(resolve, 500))
  tusk = await startTusk(args, { port })
  const summary = await summarize(await Promise.all(running), data, { bytesUp: wire.bytesUp - startBytes })
  console.log('azure, server SIGKILL:', JSON.stringify(summary))

  expect(summary.failed).toEqual([])
  expect(summary.finished).toBe(data.length)
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  // A PATCH cut by the kill loses what had not been appended yet (at most its own 512 KiB chunk).
  expect(summary.sentRatio).toBeLessThanOrEqual(1.2)
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s))).toEqual([])
})

/**
 * Starts 3 MiB uploads through the throttled proxy, creates one more upload to probe with HEAD, and
 * returns once a third of the bytes went out (so the outage lands mid-upload).
 */
async function uploadsUnderWay(count: number, seed: number) {
  const server = tusk as TuskProcess
  const wire = proxy as FaultProxy
  wire.rate = 512 * 1024
  const startBytes = wire.bytesUp
  const data = files(count, 3 * MiB, seed)
  const total = data.length * 3 * MiB
  const running = data.map((file) => tusUpload(`${wire.origin}/files`, file, { timeoutMs: 120_000 }))
  const created = await tusRequest(server.url, 'POST', { 'Upload-Length': '10' })
  expect(created.status).toBe(201)
  const existing = new URL(String(created.headers.location), server.url).href
  await waitUntil(() => wire.bytesUp - startBytes > total * 0.3, 60_000, 'a third of the bytes sent')
  return { server, wire, startBytes, data, running, existing }
}

/** After an outage: every upload finished byte-exact without starting over, no 5xx but 503, no unexpected error. */
function expectResumedAfterOutage(
  summary: Awaited<ReturnType<typeof summarize>>,
  count: number,
  server: TuskProcess,
) {
  expect(summary.failed).toEqual([])
  expect(summary.finished).toBe(count)
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s) && !/ 503$/.test(s))).toEqual([])
  expect(server.output()).not.toMatch(/unexpected error/)
}

it('answers 503 (HEAD 423) at once while Azurite is down, and resumes every upload byte-exact once it is back', async () => {
  const { server, wire, startBytes, data, running, existing } = await uploadsUnderWay(8, 22)

  azurite('azurite-stop.sh')
  let probed: Answer[]
  let answeredMs: number
  try {
    const started = Date.now()
    probed = await Promise.all([
      tusRequest(server.url, 'POST', { 'Upload-Length': '10' }, 20_000),
      tusRequest(existing, 'HEAD', {}, 20_000),
      tusRequest(`${server.origin}/ready`, 'GET', {}, 20_000),
    ])
    answeredMs = Date.now() - started
  } finally {
    azurite('azurite-start.sh')
  }
  wire.rate = 0 // the outage is over: the rest's pace changes nothing measured here
  const summary = await summarize(await Promise.all(running), data, { bytesUp: wire.bytesUp - startBytes })
  console.log(
    'azure, Azurite down:',
    JSON.stringify({ ...summary, probed: probed.map((a) => a.status), answeredMs }),
  )

  expect(probed.map((a) => a.status)).toEqual([503, 423, 503])
  expect(probed[0]?.body).toMatch(/^ERR_STORE_UNAVAILABLE: /)
  expect(probed[0]?.headers['retry-after']).toBeTruthy()
  expect(probed[1]?.headers['retry-after']).toBeTruthy()
  // Three quick tries (azure-client.ts), not the SDK's default four over ~30 s.
  expect(answeredMs).toBeLessThan(5_000)
  expectResumedAfterOutage(summary, data.length, server)
})

it('answers 503 (HEAD 423) within the Azure call timeout while Azurite is paused, and resumes every upload byte-exact after it continues', async () => {
  const { server, wire, startBytes, data, running, existing } = await uploadsUnderWay(6, 23)

  // SIGSTOP: Azurite's socket still accepts connections, nothing is ever answered.
  const pid = Number(readFileSync(path.join(azuriteDir, 'azurite.pid'), 'utf8'))
  process.kill(pid, 'SIGSTOP')
  let probed: Answer[]
  let answeredMs: number
  try {
    const started = Date.now()
    probed = await Promise.all([
      tusRequest(server.url, 'POST', { 'Upload-Length': '10' }, 60_000),
      tusRequest(existing, 'HEAD', {}, 60_000),
    ])
    answeredMs = Date.now() - started
  } finally {
    process.kill(pid, 'SIGCONT')
  }
  wire.rate = 0 // the outage is over: the rest's pace changes nothing measured here
  const summary = await summarize(await Promise.all(running), data, { bytesUp: wire.bytesUp - startBytes })
  console.log(
    'azure, Azurite paused:',
    JSON.stringify({ ...summary, probed: probed.map((a) => a.status), answeredMs }),
  )

  expect(probed.map((a) => a.status)).toEqual([503, 423])
  expect(probed[0]?.headers['retry-after']).toBeTruthy()
  expect(probed[1]?.headers['retry-after']).toBeTruthy()
  expect(answeredMs).toBeLessThan(AZURE_CALL_TIMEOUT_MS + 5_000)
  expectResumedAfterOutage(summary, data.length, server)
})
