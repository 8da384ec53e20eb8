import { stat } from 'node:fs/promises'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { startTusk } from '../../../test-support/tusk.js'
import { spawnTusk } from '../../../test-support/tusk-process.js'
import { until } from '../../../test-support/until.js'
import { lockKey } from '../../src/lockers/redis-lease.js'
import { createUpload, patch, send, TUS } from '../helpers.js'
import { type RedisService, startRedis } from './redis-service.js'
import { stalledPatch } from './stalled-patch.js'

// Two (and, for the crash, three) Tusk instances sharing one data directory and one Redis: the lock
// on an upload is shared, whichever instance a request reaches.

const KiB = 1024

const sizeOnDisk = async (id: string) =>
  (await stat(path.join(a.dataDir, id)).catch(() => ({ size: -1 }))).size
const idOf = (url: string) => url.split('/').pop() as string

const redis: RedisService = await startRedis()
afterAll(() => redis.dispose())
const raw = new Redis(redis.url)
raw.on('error', () => {}) // this test stops Redis on purpose
afterAll(() => raw.disconnect())
const a = await startTusk({ redisUrl: redis.url, lockTtl: '2s' })
const b = await startTusk({ redisUrl: redis.url, lockTtl: '2s', dataDir: a.dataDir })

describe('Redis locks across Tusk instances', () => {
  it('stops an in-flight PATCH on one instance, keeping its bytes, when the client resumes on another', async () => {
    const data = bytes(256 * KiB, 7)
    const url = await createUpload(a.url, data.length)
    const id = idOf(url)
    const first = stalledPatch(url, 0, data.subarray(0, 64 * KiB), data.length)
    await until(async () => (await sizeOnDisk(id)) === 64 * KiB, 5_000, 'the first 64 KiB on disk')
    expect(await raw.exists(lockKey(id))).toBe(1)

    // The client "reconnected" to instance B: its HEAD needs the lock held by A's request.
    const onB = url.replace(a.origin, b.origin)
    const head = await send(onB, { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(200)
    expect(head.headers['upload-offset']).toBe(String(64 * KiB))
    expect(await first.ended).toBeGreaterThanOrEqual(0) // A's request has ended

    const rest = await patch(onB, 64 * KiB, data.subarray(64 * KiB))
    expect(rest.status).toBe(204)
    const download = await send(url)
    expect(sha256(download.body)).toBe(sha256(data))
    expect(await raw.exists(lockKey(id))).toBe(0)
  })

  it('never lets two PATCHes at the same offset on two instances interleave', async () => {
    const one = bytes(512 * KiB, 11)
    const two = bytes(512 * KiB, 12)
    const url = await createUpload(a.url, one.length)
    const [r1, r2] = await Promise.all([patch(url, 0, one), patch(url.replace(a.origin, b.origin), 0, two)])
    const statuses = [r1.status, r2.status].sort()
    expect(statuses[0]).toBe(204)
    expect([204, 409, 423]).toContain(statuses[1])
    const stored = (await send(url)).body
    if (statuses[1] === 204) throw new Error('both PATCHes at offset 0 succeeded')
    expect([sha256(one), sha256(two)]).toContain(sha256(stored))
  })

  it('fences a PATCH whose lease is lost: its connection is cut at the next renewal, its bytes stay', async () => {
    const data = bytes(256 * KiB, 9)
    const url = await createUpload(a.url, data.length)
    const id = idOf(url)
    const inFlight = stalledPatch(url, 0, data.subarray(0, 32 * KiB), data.length)
    await until(async () => (await sizeOnDisk(id)) === 32 * KiB, 5_000, 'the first 32 KiB on disk')
    const lostAt = Date.now()
    await raw.del(lockKey(id)) // the lease is gone (as after a long pause); A must stop writing now
    expect(await inFlight.ended).toBe(0)
    expect(Date.now() - lostAt).toBeLessThan(2_000)
    const head = await send(url.replace(a.origin, b.origin), { method: 'HEAD', headers: TUS })
    expect(head.headers['upload-offset']).toBe(String(32 * KiB))
  })

  it('frees the locks of an instance killed with SIGKILL within the lock TTL', async () => {
    const crashing = await spawnTusk([
      `--data-dir=${a.dataDir}`,
      `--redis-url=${redis.url}`,
      '--lock-ttl=2s',
      '--log-level=silent',
    ])
    const data = bytes(128 * KiB, 5)
    const url = await createUpload(crashing.url, data.length)
    const id = idOf(url)
    stalledPatch(url, 0, data.subarray(0, 16 * KiB), data.length)
    await until(async () => (await sizeOnDisk(id)) === 16 * KiB, 5_000, 'the first 16 KiB on disk')
    await crashing.stop('SIGKILL')
    const started = Date.now()
    const head = await send(url.replace(crashing.origin, a.origin), { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000)
    const rest = await patch(url.replace(crashing.origin, a.origin), 16 * KiB, data.subarray(16 * KiB))
    expect(rest.status).toBe(204)
    expect(sha256((await send(url.replace(crashing.origin, b.origin))).body)).toBe(sha256(data))
  })

  it('answers PATCH 503 and HEAD 423 (which tus clients retry) with a reason while Redis is down, without touching the upload, and recovers', async () => {
    const data = bytes(64 * KiB, 3)
    const url = await createUpload(a.url, data.length)
    await redis.stop()
    try {
      // tus-js-client and Uppy start an upload over when HEAD answers anything but 2xx or 423.
      const head = await send(url, { method: 'HEAD', headers: TUS })
      expect(head.status).toBe(423)
      expect(head.headers['retry-after']).toBeDefined()
      const refused = await patch(url, 0, data)
      expect(refused.status).toBe(503)
      expect(refused.body.toString()).toMatch(/^ERR_UNAVAILABLE: .*Redis/)
    } finally {
      await redis.start()
    }
    await until(
      async () => (await send(url, { method: 'HEAD', headers: TUS })).status === 200,
      5_000,
      'recovery',
    )
    expect((await send(url, { method: 'HEAD', headers: TUS })).headers['upload-offset']).toBe('0')
    expect((await patch(url, 0, data)).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })
})
