import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Upload } from '@tus/utils'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { startTusk } from '../../../test-support/tusk.js'
import { until } from '../../../test-support/until.js'
import type { ConfigInput } from '../../src/index.js'
import { newMetadataRecord } from '../../src/model/record.js'
import { newUploadId } from '../../src/model/upload-id.js'
import { azureService } from '../stores/azure-service.js'
import { s3Service } from '../stores/s3-service.js'
import { create, download, head, patch, TUS } from './helpers.js'

// The markers of pending concatenations (one per waiting (final, partial) pair) must not outlive
// their uploads: when expiry removes a waiting final and its partials for real (a short expiry, the
// cleanup timer), their markers go too, on every store that keeps them. And a final whose assembly
// was cut short (as a kill -9 leaves it: markers there, part of the bytes written) is assembled
// byte-exact when the server tends its markers (at start-up), on every store.

const EXPIRY = 1_500
const CLEANUP = 300

// Each object store gets a bucket / container of its own: a 1.5 s expiry on a shared one would
// remove other suites' unfinished uploads.
const s3 = process.env.S3_ENDPOINT ? s3Service() : undefined
const azure = process.env.AZURE_BLOB_ENDPOINT ? azureService() : undefined
const buckets: string[] = []
const containers: string[] = []
afterAll(async () => {
  for (const bucket of buckets) await s3?.deleteBucket(bucket)
  for (const container of containers) await azure?.deleteContainer(container)
})

const stores: [string, () => Promise<ConfigInput>][] = [
  ['file store', async () => ({})],
  [
    'S3 store',
    async () => {
      if (!s3) throw new Error('this test needs the S3 service (S3_ENDPOINT)')
      const bucket = await s3.createBucket('pending-expiry')
      buckets.push(bucket)
      return { store: 's3', ...s3.settings, s3Bucket: bucket }
    },
  ],
  [
    'Azure store',
    async () => {
      if (!azure) throw new Error('this test needs Azurite (AZURE_BLOB_ENDPOINT)')
      const container = azure.containerName('pending-expiry')
      containers.push(container)
      return { store: 'azure', ...azure.settings, azureContainer: container }
    },
  ],
]

const idOf = (url: string) => url.split('/').pop() as string

describe.each(stores)('pending concatenations, %s', (name, config) => {
  // A server of its own per test, over a bucket / container of its own.
  const start = async (expiry: Pick<ConfigInput, 'uploadExpiry' | 'cleanupInterval'>) =>
    startTusk({ ...(await config()), ...expiry, logLevel: 'silent' })

  it('removes the markers of a waiting final and its partials when expiry removes them', async () => {
    const server = await start({ uploadExpiry: EXPIRY, cleanupInterval: CLEANUP })
    const store = server.store
    const pending = store.pendingConcatenations
    if (!pending) return expect.unreachable(`the ${name} keeps no pending concatenations`)
    const pa = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': '4' })
    const pb = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': '3' })
    expect((await patch(pb, 0, 'xyz')).status).toBe(204)
    const created = await fetch(server.url, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Concat': `final;${new URL(pa).pathname} ${new URL(pb).pathname}` },
    })
    expect(created.status).toBe(201)
    const final = idOf(created.headers.get('location') as string)
    const mine = async () =>
      (await pending.list()).filter((pair) => pair.finalId === final).map((pair) => pair.partialId)
    expect((await mine()).sort()).toEqual([idOf(pa), idOf(pb)].sort())

    // A real removal by the cleanup timer, not a call: the final's record and bytes are gone.
    const gone = async (id: string) =>
      store.datastore.getUpload(id).then(
        () => false,
        () => true,
      )
    await until(async () => (await gone(final)) && (await gone(idOf(pa))), EXPIRY + 10_000, 'expiry removal')
    expect((await head(`${server.url}/${final}`)).status).toBe(404)
    // The markers go in the same cleanup round (expiry, then the sweep of markers).
    await until(async () => (await mine()).length === 0, 4 * CLEANUP + 2_000, 'the markers removed')
    if (name === 'file store') {
      // Nothing left under .waiting/ for these uploads (the folder of a partial goes with its last marker).
      const left = await readdir(path.join(server.dataDir, '.waiting')).catch(() => [])
      expect(left.filter((entry) => entry === idOf(pa) || entry === idOf(pb))).toEqual([])
    }
  })

  it.each(['tending (start-up)', 'a GET'] as const)(
    'assembles, byte-exact, a final whose assembly a crash cut short, on %s',
    async (trigger) => {
      // No cleanup timer: the tending below is the only one (the timer's would race it).
      const server = await start({ cleanupInterval: 0 })
      const store = server.store
      const pending = store.pendingConcatenations
      if (!pending) return expect.unreachable(`the ${name} keeps no pending concatenations`)
      const a = bytes(300_000, 7)
      const b = bytes(200_001, 8)
      const pa = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': String(a.length) })
      const pb = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': String(b.length) })
      expect((await patch(pa, 0, a)).status).toBe(204)
      expect((await patch(pb, 0, b)).status).toBe(204)
      const whole = Buffer.concat([a, b])
      // What a kill -9 mid-assembly leaves: the final created, its markers, the first 400,000 bytes
      // (all of the first partial and part of the second) written.
      const final = new Upload({
        id: newUploadId(),
        size: whole.length,
        offset: 0,
        metadata: newMetadataRecord(undefined, `final;${new URL(pa).pathname} ${new URL(pb).pathname}`, {
          partials: [idOf(pa), idOf(pb)],
        }),
        creation_date: new Date().toISOString(),
      })
      await store.datastore.create(final)
      await pending.add(idOf(pa), final.id)
      await pending.add(idOf(pb), final.id)
      await store.datastore.write(Readable.from([whole.subarray(0, 400_000)]), final.id, 0)

      if (trigger === 'a GET') {
        // The first download assembles it before answering: whole, never the 400,000 bytes there.
        expect((await download(`${server.url}/${final.id}`)).equals(whole)).toBe(true)
      } else {
        const tended = await server.core.tendConcatenations()
        expect(tended.assembled).toBe(1)
      }
      const done = await head(`${server.url}/${final.id}`)
      expect(done.headers.get('upload-offset')).toBe(String(whole.length))
      expect((await download(`${server.url}/${final.id}`)).equals(whole)).toBe(true)
      expect((await pending.list()).filter((pair) => pair.finalId === final.id)).toEqual([])
    },
  )
})
