import { afterAll, expect, it } from 'vitest'
import { S3_SOCKET_IDLE_MS } from '../../src/stores/s3-client-config.js'
import { type FaultProxy, startFaultProxy } from './harness/fault-proxy.js'
import { startPrivateS3 } from './harness/private-s3.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { type Answer, tusRequest } from './harness/tus-requests.js'
import { files, summarize, tusUpload } from './harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

// The S3 service paused (SIGSTOP: it keeps accepting connections and never answers) and killed
// mid-run. One private Ceph S3 (bluestore, so objects survive the kill) for the whole file.
const s3 = await startPrivateS3({ dir: '/tmp/tusk-fault-s3', port: 19480 })
// Started at the top level, so both scenarios use the same server (stopped after the file).
const tusk: TuskProcess = await startTusk([...s3.args, '--log-level=warn'])
const proxy: FaultProxy = await startFaultProxy({ port: tusk.port })
afterAll(async () => {
  await proxy.close()
  await killTree(tusk)
  await s3.dispose()
})

const UPLOADS = 8
const SIZE = 6 * MiB
// An answer during the fault waits for the S3 call to time out (the SDK tries 3 times): never longer.
const ANSWER_LIMIT_MS = 4 * S3_SOCKET_IDLE_MS

async function uploadsThrough(fault: (during: () => Promise<Answer[]>) => Promise<void>, seed: number) {
  const server = tusk
  const wire = proxy
  const startBytes = wire.bytesUp
  wire.rate = 512 * 1024 // per connection: the uploads are in flight when the fault comes
  const data = files(UPLOADS, SIZE, seed)
  const running = data.map((file) =>
    // Chunks small enough that the one a client re-sends after a 503 stays under 1.1x of the upload.
    tusUpload(`${wire.origin}/files`, file, { chunkSize: MiB / 2, timeoutMs: 240_000 }),
  )
  // An upload that exists, for the offset read during the fault (a made-up id would just be 404).
  const created = await tusRequest(server.url, 'POST', { 'Upload-Length': '10' }, ANSWER_LIMIT_MS)
  expect(created.status).toBe(201)
  const existing = new URL(String(created.headers.location), server.url).href
  await waitUntil(() => wire.bytesUp - startBytes > UPLOADS * SIZE * 0.3, 60_000, 'a third of the bytes sent')
  // Requests sent while the service is down: each must be answered (no hang), 503 or HEAD 423.
  const probe = async () => {
    const started = Date.now()
    const answers = await Promise.all([
      tusRequest(server.url, 'POST', { 'Upload-Length': '10' }, ANSWER_LIMIT_MS),
      tusRequest(existing, 'HEAD', {}, ANSWER_LIMIT_MS),
    ])
    expect(Date.now() - started).toBeLessThan(ANSWER_LIMIT_MS)
    return answers
  }
  await fault(probe)
  // The fault is over: the rest goes unthrottled. What is measured (the answers during the fault,
  // the bytes sent again because of it, the uploads' end state) does not depend on that pace, and
  // the remaining ~4 MiB per upload at 512 KiB/s took ~8 s per scenario.
  wire.rate = 0
  const reports = await Promise.all(running)
  const summary = await summarize(reports, data, { bytesUp: wire.bytesUp - startBytes })
  return { summary, output: server.output() }
}

function expectKeptAndExact(summary: Awaited<ReturnType<typeof summarize>>) {
  expect(summary.failed).toEqual([])
  expect(summary.finished).toBe(UPLOADS)
  expect(summary.corrupt).toEqual([])
  // No orphaned uploads: no client dropped its upload URL and created a new upload.
  expect(summary.startedOver).toBe(0)
  // A PATCH cut by the outage costs only its own chunk (measured 1.06 paused, 1.08 killed): the S3
  // store keeps the tail of earlier PATCHes until its bytes are stored again. It deleted it first
  // (as upstream), so the cut PATCH lost up to a part size more: 1.33 before.
  expect(summary.sentRatio).toBeLessThanOrEqual(1.1)
  // During the fault: 4xx (HEAD 423 keeps the upload) or 503 with a reason, never another 5xx.
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s) && !/ 503$/.test(s))).toEqual([])
}

it('answers 503 (HEAD 423) while S3 is paused, never hangs past the S3 idle timeout, and resumes every upload byte-exact after SIGCONT', async () => {
  let probed: Answer[] = []
  const { summary, output } = await uploadsThrough(async (probe) => {
    process.kill(s3.gatewayPid(), 'SIGSTOP')
    try {
      probed = await probe()
    } finally {
      process.kill(s3.gatewayPid(), 'SIGCONT')
    }
  }, 61)
  console.log('S3 paused:', JSON.stringify({ ...summary, probed: probed.map((a) => a.status) }))
  expect(probed.map((a) => a.status)).toEqual([503, 423])
  expect(probed[0]?.headers['retry-after']).toBeTruthy()
  expect(probed[0]?.body).toMatch(/^ERR_STORE_UNAVAILABLE: /)
  expect(probed[1]?.headers['retry-after']).toBeTruthy()
  expectKeptAndExact(summary)
  expect(output).not.toMatch(/unexpected error/)
})

it('answers 503 (HEAD 423) while S3 is killed, and resumes every upload byte-exact once it is restarted', async () => {
  let probed: Answer[] = []
  const { summary, output } = await uploadsThrough(async (probe) => {
    process.kill(s3.gatewayPid(), 'SIGKILL')
    probed = await probe()
    await s3.start()
  }, 62)
  console.log('S3 killed:', JSON.stringify({ ...summary, probed: probed.map((a) => a.status) }))
  expect(probed.map((a) => a.status)).toEqual([503, 423])
  expectKeptAndExact(summary)
  expect(output).not.toMatch(/unexpected error/)
})
