import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from './harness/fault-proxy.js'
import { MiB } from './harness/proc-stats.js'
import { files, summarize, tusUpload } from './harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let dataDir = ''
const proxies: FaultProxy[] = []
dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-net-'))
// A short idle timeout, so a stall longer than it is cut by the server (and resumed by the client).
tusk = await startTusk([`--data-dir=${dataDir}`, '--log-level=warn', '--idle-timeout=2s'])
afterAll(async () => {
  for (const proxy of proxies) await proxy.close()
  await killTree(tusk)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

async function proxyTo(server: TuskProcess) {
  const proxy = await startFaultProxy({ port: server.port })
  proxies.push(proxy)
  return proxy
}

it('finishes every upload byte-exact through connection resets mid-body, re-sending under 1.1x', async () => {
  const proxy = await proxyTo(tusk as TuskProcess)
  proxy.rate = 4 * MiB
  // Every third connection is reset somewhere in its first 1.5 MiB of request bytes.
  proxy.plan = (n) => (n % 3 === 1 ? { resetAfter: 100_000 + ((n * 7919) % 1_400_000) } : undefined)
  const data = files(20, 2 * MiB, 31)
  const reports = await Promise.all(
    data.map((file) => tusUpload(`${proxy.origin}/files`, file, { timeoutMs: 90_000 })),
  )
  const summary = await summarize(reports, data, proxy)
  console.log('resets:', JSON.stringify({ connections: proxy.connections, ...summary }))
  expect(summary.failed).toEqual([])
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(summary.statuses['PATCH network-error'] ?? 0).toBeGreaterThan(0) // the faults did happen
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s))).toEqual([])
})

it('finishes every upload through stalls, short ones waited out and long ones cut by the idle timeout', async () => {
  const proxy = await proxyTo(tusk as TuskProcess)
  proxy.rate = 4 * MiB
  // Every fourth connection stalls after 200 KB: alternately 1 s (under the 2 s idle timeout) and 4 s.
  proxy.plan = (n) =>
    n % 4 === 2 ? { stallAfter: 200_000, stallMs: n % 8 === 2 ? 1_000 : 4_000 } : undefined
  const data = files(12, 2 * MiB, 41)
  const started = Date.now()
  const reports = await Promise.all(
    data.map((file) => tusUpload(`${proxy.origin}/files`, file, { timeoutMs: 60_000 })),
  )
  const summary = await summarize(reports, data, proxy)
  const slowest = Math.max(...reports.map((r) => r.ms))
  console.log('stalls:', JSON.stringify({ connections: proxy.connections, slowestMs: slowest, ...summary }))
  expect(summary.failed).toEqual([])
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  expect(Date.now() - started).toBeLessThan(30_000)
})
