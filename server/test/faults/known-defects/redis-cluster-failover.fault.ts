import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js'
import { MiB, waitUntil } from '../harness/proc-stats.js'
import { files, summarize, tusUpload } from '../harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from '../harness/tusk-server.js'

const run = promisify(execFile)
const scripts = fileURLToPath(new URL('../../../../scripts/', import.meta.url))
const BASE = 27_200 + Math.floor(Math.random() * 50) * 10
let clusterDir = ''
let clusterUrl = ''
const instances: TuskProcess[] = []
let proxy: FaultProxy | undefined
let dataDir = ''

const cli = async (port: number, ...args: string[]) =>
  (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout

beforeAll(async () => {
  clusterDir = await mkdtemp(path.join(tmpdir(), 'tusk-redis-cluster-'))
  await run(path.join(scripts, 'redis-cluster-start.sh'), [String(BASE), clusterDir])
  clusterUrl = readFileSync(path.join(clusterDir, 'redis-cluster.env'), 'utf8').trim().split('=')[1] as string
})
afterAll(async () => {
  await proxy?.close()
  for (const tusk of instances) await killTree(tusk)
  if (clusterDir) await run(path.join(scripts, 'redis-cluster-stop.sh'), [clusterDir, '--purge'])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('keeps uploads byte-exact when a Redis Cluster master dies and its replica takes over; no lock stays stale', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-rc-'))
  // Two cluster workers sharing locks through the Redis Cluster (slots on all three masters).
  const tusk = await startTusk([
    `--data-dir=${dataDir}`,
    '--workers=2',
    `--redis-url=${clusterUrl}`,
    '--lock-ttl=3s',
    '--log-level=warn',
  ])
  instances.push(tusk)
  proxy = await startFaultProxy({ port: tusk.port })
  proxy.rate = 1 * MiB
  const data = files(20, 3 * MiB, 61)
  const total = data.length * 3 * MiB
  const running = data.map((file) => tusUpload(`${proxy?.origin}/files`, file, { timeoutMs: 100_000 }))
  const proxied = proxy
  await waitUntil(() => proxied.bytesUp > total * 0.25, 30_000, 'a quarter of the bytes sent')

  // Kill the master of the first slot range: SIGKILL, as a crash would.
  const masters = (await cli(BASE, 'cluster', 'nodes'))
    .split('\n')
    .filter((line) => line.includes('master') && !line.includes('fail'))
  const victimPort = Number(/:(\d+)@/.exec(masters[0] as string)?.[1])
  const pid = Number(readFileSync(path.join(clusterDir, String(victimPort), 'redis.pid'), 'utf8'))
  process.kill(pid, 'SIGKILL')
  const failoverMs = await waitUntil(
    async () =>
      (await cli(victimPort === BASE ? BASE + 1 : BASE, 'cluster', 'info')).includes('cluster_state:ok') &&
      !(await cli(victimPort === BASE ? BASE + 1 : BASE, 'cluster', 'nodes'))
        .split('\n')
        .some((l) => l.includes(`:${victimPort}@`) && l.includes('master') && !l.includes('fail')),
    30_000,
    'a replica promoted',
    100,
  )
  const summary = await summarize(await Promise.all(running), data, proxied)
  // Every lock was released, or expires within its TTL: none is left once the TTL has passed.
  await new Promise((resolve) => setTimeout(resolve, 3_500))
  const alive = [0, 1, 2, 3, 4, 5].map((i) => BASE + i).filter((port) => port !== victimPort)
  let staleLocks = 0
  for (const port of alive) {
    const role = await cli(port, 'role')
    if (role.startsWith('master'))
      staleLocks += (await cli(port, '--scan', '--pattern', 'tusk:lock:*'))
        .trim()
        .split('\n')
        .filter(Boolean).length
  }
  console.log(
    'redis cluster master kill:',
    JSON.stringify({ victimPort, failoverMs, staleLocks, ...summary }),
  )
  expect(summary.failed).toEqual([])
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  expect(staleLocks).toBe(0)
})
