import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { Upload } from 'tus-js-client'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { spawnTusk, type TuskProcess } from '../../../test-support/tusk-process.js'
import { until } from '../../../test-support/until.js'
import { type Reply, send, TUS } from '../helpers.js'
import { startRedis } from '../lockers/redis-service.js'
import { startNginx } from './nginx.js'

// Three Tusk instances sharing one store and one Redis, behind nginx round-robin: every request of
// an upload may land on another instance. While 50 uploads run, connections are cut mid-PATCH and
// one instance is killed with SIGKILL; duplicate PATCHes race on other uploads. Every upload must
// end byte-identical, and no lock may be left behind.

const KiB = 1024
const UPLOADS = 50
const RACES = 10

export interface StoreVariant {
  name: string
  /** PATCH size of the tus-js-client uploads. */
  chunkSize: number
  /** Prepares the shared store; returns the flags every instance gets and how to read stored bytes. */
  setup(sharedDir: string): Promise<{
    flags: string[]
    /** The bytes of a finished upload, read from the store itself (not through Tusk). */
    stored(id: string): Promise<Buffer>
    cleanup(): Promise<void>
  }>
}

/** The whole scenario against one store configuration (one describe block). */
export function multiInstanceSuite(variant: StoreVariant): void {
  describe(`three instances behind a round-robin proxy (${variant.name})`, async () => {
    // Each resource's cleanup is registered as it starts (afterAll runs them last-registered first).
    // A private Redis: "no lock left behind" is checked over all its keys.
    const redis = await startRedis()
    afterAll(() => redis.dispose())
    const raw = new Redis(redis.url)
    afterAll(() => raw.disconnect())
    const sharedDir = await mkdtemp(path.join(tmpdir(), 'tusk-multi-'))
    afterAll(() => rm(sharedDir, { recursive: true, force: true }))
    const store = await variant.setup(sharedDir)
    afterAll(() => store.cleanup())
    const flags = [
      `--redis-url=${redis.url}`,
      '--trust-proxy=true',
      '--lock-ttl=2s',
      '--log-level=error',
      ...store.flags,
    ]
    const instances = await Promise.all([spawnTusk(flags), spawnTusk(flags), spawnTusk(flags)])
    const proxy = await startNginx(instances.map((i) => `127.0.0.1:${i.port}`))
    afterAll(() => proxy.stop())

    it('finishes 50 hopping uploads byte-identical through cuts and a SIGKILLed instance, leaving no locks', async () => {
      const endpoint = `${proxy.origin}/files`
      const { stored } = store
      const inputs = Array.from({ length: UPLOADS }, (_, i) => bytes((192 + ((i * 37) % 700)) * KiB, i + 1))
      const total = inputs.reduce((sum, b) => sum + b.length, 0)
      let sent = 0
      let killed = false
      let cuts = 0
      const retried = new Map<number, number>() // status (0 = network) -> retries
      const victim = instances[1] as TuskProcess

      const uploads = inputs.map(
        (input, i) =>
          new Promise<string>((resolve, reject) => {
            let cut = false
            const upload = new Upload(input, {
              endpoint,
              chunkSize: variant.chunkSize,
              retryDelays: [0, 100, 250, 500, 1_000, 1_000, 2_000, 2_000, 3_000, 3_000],
              metadata: { filename: `file-${i}.bin` },
              onProgress(bytesSent) {
                // Cut every other upload's connection once, in the middle of a PATCH body.
                if (
                  !cut &&
                  i % 2 === 0 &&
                  bytesSent > input.length / 3 &&
                  bytesSent % variant.chunkSize !== 0
                ) {
                  cut = true
                  cuts++
                  // Part of the scenario: the client reconnects a moment after its connection was cut.
                  void upload.abort().then(() => setTimeout(() => upload.start(), 20))
                }
              },
              onChunkComplete(chunkSize) {
                sent += chunkSize
                if (!killed && sent > total / 3) {
                  killed = true
                  victim.child.kill('SIGKILL')
                }
              },
              onShouldRetry(error) {
                // tus-js-client's own rule (retry 5xx, 409, 423 and network errors), counted.
                const status = error.originalResponse?.getStatus() ?? 0
                const retry = status === 0 || status >= 500 || status === 409 || status === 423
                if (retry) retried.set(status, (retried.get(status) ?? 0) + 1)
                return retry
              },
              onSuccess: () => resolve(upload.url as string),
              onError: reject,
            })
            upload.start()
          }),
      )
      const races = Array.from({ length: RACES }, (_, i) => racingPatches(endpoint, i))

      const urls = await Promise.all(uploads)
      const raceResults = await Promise.all(races)
      expect(killed).toBe(true)
      expect(cuts).toBeGreaterThanOrEqual(UPLOADS / 2 - 2)
      // The kill really hit requests in flight: the proxy answered them 502 and the clients resumed.
      expect(retried.get(502) ?? 0).toBeGreaterThan(0)

      // Byte-identical: what Tusk serves and what the store holds.
      for (const [i, url] of urls.entries()) {
        const expected = sha256(inputs[i] as Buffer)
        const download = await getWithRetry(url)
        expect(download.status, url).toBe(200)
        expect(sha256(download.body), `download of upload ${i}`).toBe(expected)
        expect(sha256(await stored(url.split('/').pop() as string)), `stored upload ${i}`).toBe(expected)
      }
      for (const race of raceResults) expect(race.ok, race.detail).toBe(true)

      // No stale locks: the dead instance's leases run out within the TTL, everything else is released.
      await until(
        async () => (await raw.keys('tusk:lock:*')).length === 0,
        4_000,
        'no tusk:lock:* keys in Redis',
      )
    })
  })
}

/** GET through the proxy, retrying what a dead upstream may cause (502/503) for a moment. */
function getWithRetry(url: string): Promise<Reply> {
  return until(
    () => send(url).then((reply) => (reply.status !== 502 && reply.status !== 503 ? reply : undefined)),
    5_000,
    `GET ${url} answered by a live instance`,
  )
}

/**
 * Two clients PATCH different bytes to the same upload at the same offset, at the same time, through
 * the proxy (so usually via two instances). At most one may succeed, and whatever was stored must be
 * a prefix of ONE of them, never a mix: completed with `one`'s remaining bytes, the upload must read
 * back as that prefix followed by exactly those bytes.
 */
async function racingPatches(endpoint: string, i: number): Promise<{ ok: boolean; detail: string }> {
  const one = bytes(256 * KiB, 1000 + i)
  const two = bytes(256 * KiB, 2000 + i)
  const created = await sendRetrying(endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': String(one.length) },
  })
  const url = new URL(created.headers.location as string, endpoint).href
  const patchHeaders = { ...TUS, 'Content-Type': 'application/offset+octet-stream' }
  const statuses = await Promise.all(
    [one, two].map((body) =>
      send(url, { method: 'PATCH', headers: { ...patchHeaders, 'Upload-Offset': '0' }, body }).then(
        (r) => r.status,
        () => 0,
      ),
    ),
  )
  if (statuses.filter((s) => s === 204).length > 1)
    return { ok: false, detail: `race ${i}: both PATCHes succeeded` }
  const offset = Number((await sendRetrying(url, { method: 'HEAD', headers: TUS })).headers['upload-offset'])
  if (offset < one.length) {
    const rest = await sendRetrying(url, {
      method: 'PATCH',
      headers: { ...patchHeaders, 'Upload-Offset': String(offset) },
      body: one.subarray(offset),
    })
    if (rest.status !== 204)
      return { ok: false, detail: `race ${i}: completing PATCH answered ${rest.status}` }
  }
  const final = (await getWithRetry(url)).body
  const prefix = final.subarray(0, offset)
  const fromOne = prefix.equals(one.subarray(0, offset))
  const fromTwo = prefix.equals(two.subarray(0, offset))
  const ok = (fromOne || fromTwo) && final.subarray(offset).equals(one.subarray(offset))
  return {
    ok,
    detail: `race ${i}: statuses ${statuses}, ${offset} bytes won by ${fromOne ? 'one' : fromTwo ? 'two' : 'NEITHER (mixed)'}`,
  }
}

/** A request through the proxy, retried while it fails as a dead instance or a held lock makes it. */
function sendRetrying(url: string, options: Parameters<typeof send>[1]): Promise<Reply> {
  return until(
    () =>
      send(url, options).then((reply) => (![0, 423, 502, 503].includes(reply.status) ? reply : undefined)),
    10_000,
    `${options?.method} ${url} answered without 423/502/503`,
  )
}
