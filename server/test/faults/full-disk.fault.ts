import { stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { type FaultProxy, startFaultProxy } from './harness/fault-proxy.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { mountSmallDisk, type SmallDisk } from './harness/small-disk.js'
import { tusRequest } from './harness/tus-requests.js'
import { files, summarize, tusUpload } from './harness/tus-upload.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let disk: SmallDisk | undefined
let proxy: FaultProxy | undefined
afterAll(async () => {
  await proxy?.close()
  await killTree(tusk)
  await disk?.dispose()
})

const UPLOADS = 6
const SIZE = 4 * MiB
const CHUNK = 256 * 1024

/** Every upload's offset (HEAD) next to the bytes its file holds on the disk. */
async function offsetsAndFiles(urls: string[], dataDir: string) {
  return Promise.all(
    urls.map(async (url) => {
      const head = await tusRequest(url, 'HEAD', {}, 10_000)
      const onDisk = (await stat(path.join(dataDir, path.basename(new URL(url).pathname)))).size
      return { status: head.status, offset: Number(head.headers['upload-offset']), onDisk }
    }),
  )
}

it('answers a full disk with 507 and a reason, keeps offsets equal to the bytes on disk (also across a SIGKILL), and finishes every upload byte-exact once space is freed', async () => {
  // 40 MiB, of which a filler takes 20: the uploads (24 MiB) cannot all fit until it is deleted.
  disk = await mountSmallDisk(40)
  const dataDir = path.join(disk.dir, 'data')
  const filler = path.join(disk.dir, 'filler.bin')
  await writeFile(filler, Buffer.alloc(20 * MiB))
  const args = [`--data-dir=${dataDir}`, '--log-level=warn']
  tusk = await startTusk(args)
  const { port } = tusk
  // Only to count the bytes on the wire (bodies cut by a 507 included); it injects no fault.
  proxy = await startFaultProxy({ port })
  const endpoint = `${proxy.origin}/files`

  const data = files(UPLOADS, SIZE, 31)
  const urls: string[] = []
  const running = data.map((file) =>
    tusUpload(endpoint, file, {
      chunkSize: CHUNK,
      timeoutMs: 90_000,
      onUrl: (url) => urls.includes(url) || urls.push(url),
    }),
  )
  const full = disk
  await waitUntil(
    () => (tusk?.output() ?? '').includes('storage is full'),
    30_000,
    'a write to fail on the full disk',
  )

  // A creation cannot be stored either: 507 with the reason, not a bare 500.
  const create = await tusRequest(tusk.url, 'POST', { 'Upload-Length': '1000' })
  expect(create.status).toBe(507)
  expect(create.body).toMatch(/^ERR_STORAGE_FULL: /)

  const whileFull = await offsetsAndFiles(urls, dataDir)
  for (const { status, offset, onDisk } of whileFull) {
    expect(status).toBe(200)
    expect(offset).toBe(onDisk)
  }
  expect(whileFull.some(({ offset }) => offset < SIZE)).toBe(true)

  // A crash while the disk is full: the restarted server reads the same offsets back.
  await tusk.stop('SIGKILL')
  const firstOutput = tusk.output()
  tusk = await startTusk(args, { port })
  const afterCrash = await offsetsAndFiles(urls, dataDir)
  for (const { status, offset, onDisk } of afterCrash) {
    expect(status).toBe(200)
    expect(offset).toBe(onDisk)
  }
  const freeBefore = await full.free()

  await unlink(filler)
  const summary = await summarize(await Promise.all(running), data, proxy)
  console.log(
    'full disk:',
    JSON.stringify({
      ...summary,
      freeWhileFullKiB: Math.round(freeBefore / 1024),
      offsetsWhileFull: whileFull.map((o) => o.offset),
    }),
  )

  const unexpected = (firstOutput + (tusk?.output() ?? ''))
    .split('\n')
    .filter((line) => /unexpected error/.test(line))
  expect(unexpected).toEqual([])
  expect(summary.failed).toEqual([])
  expect(summary.finished).toBe(UPLOADS)
  expect(summary.corrupt).toEqual([])
  expect(summary.startedOver).toBe(0)
  // What is sent again is the bodies of the PATCHes refused while the disk was full (a client sends
  // a body before it reads the answer; ~0.12x here), not uploads started over: at most one chunk
  // per refused or cut PATCH, plus 1% for request headers.
  const refused = (summary.statuses['PATCH 507'] ?? 0) + (summary.statuses['PATCH network-error'] ?? 0)
  const total = UPLOADS * SIZE
  expect(summary.sentRatio * total - total).toBeLessThanOrEqual(refused * CHUNK + total * 0.01)
  expect(summary.statuses['PATCH 507'] ?? 0).toBeGreaterThan(0)
  // During the fault: 507 (full) only; nothing else from the 5xx range.
  expect(Object.keys(summary.statuses).filter((s) => / 5\d\d$/.test(s) && !/ 507$/.test(s))).toEqual([])
})
