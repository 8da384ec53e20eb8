import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { type RedisService, startRedis } from '../lockers/redis-service.js'
import { type FaultProxy, startFaultProxy } from './harness/fault-proxy.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { files, summarize, tusUpload } from './harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let proxy: FaultProxy | undefined
let redis: RedisService | undefined
let dataDir = ''
afterAll(async () => {
  await proxy?.close()
  await killTree(tusk)
  await redis?.dispose()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('keeps every upload (tus-js-client never starts over) when Redis stops mid-run and comes back; only 4xx/503 meanwhile', async () => {
  redis = await startRedis()
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-redis-'))
  tusk = await startTusk([`--data-dir=${dataDir}`, `--redis-url=${redis.url}`, '--log-level=warn'])
  proxy = await startFaultProxy({ port: tusk.port })
  proxy.rate = 1 * MiB
  // A PATCH refused with 503 during the outage (its lock cannot be taken or renewed) is refused before
  // its body is read; tus-js-client sends no Expect: 100-continue, so the body it had pushed into the
  // sockets meanwhile (up to its whole 512 KiB chunk) is lost to any server and sent again. That loss
  // is per refused PATCH (20 here), not per byte, so the uploads are 8 MiB: at 3 MiB a loaded CI run
  // measured 1.124x against the 1.1 bound and at 5 MiB 1.101, with no upload started over.
  const size = 8 * MiB
  const data = files(20, size, 71)
  const total = data.length * size
  const running = data.map((file) => tusUpload(`${proxy?.origin}/files`, file, { timeoutMs: 100_000 }))
  const proxied = proxy
  await waitUntil(() => proxied.bytesUp > total * 0.3, 30_000, 'a third of the bytes sent')
  await redis.stop()
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  await redis.start()
  const summary = await summarize(await Promise.all(running), data, proxied)
  console.log('redis outage:', JSON.stringify(summary))
  expect(summary.failed).toEqual([])
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  const errors = Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s) && !/ 503$/.test(s))
  expect(errors).toEqual([])
})
