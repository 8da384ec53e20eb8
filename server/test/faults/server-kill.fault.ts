import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from './harness/fault-proxy.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { files, summarize, tusUpload } from './harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let proxy: FaultProxy | undefined
let dataDir = ''
afterAll(async () => {
  await proxy?.close()
  await killTree(tusk)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('resumes every upload byte-exact after the server is SIGKILLed mid-upload and restarted', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-kill-'))
  const args = [`--data-dir=${dataDir}`, '--log-level=warn']
  tusk = await startTusk(args)
  const port = tusk.port
  proxy = await startFaultProxy({ port })
  proxy.rate = 1 * MiB // per connection: keeps all uploads in flight when the kill comes
  const endpoint = `${proxy.origin}/files`
  const data = files(30, 2 * MiB, 11)
  const total = data.length * 2 * MiB

  const running = data.map((file) => tusUpload(endpoint, file, { timeoutMs: 90_000 }))
  const proxied = proxy
  await waitUntil(() => proxied.bytesUp > total * 0.35, 30_000, 'a third of the bytes sent')
  await tusk.stop('SIGKILL')
  // Part of the scenario: the server stays down a while, so the clients' requests fail and they retry.
  await new Promise((resolve) => setTimeout(resolve, 500))
  tusk = await startTusk(args, { port })
  const summary = await summarize(await Promise.all(running), data, proxied)
  console.log('server SIGKILL:', JSON.stringify(summary))

  expect(summary.failed).toEqual([])
  expect(summary.finished).toBe(30)
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s))).toEqual([])
})
