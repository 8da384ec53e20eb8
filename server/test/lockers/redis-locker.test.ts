import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { ERRORS } from '@tus/utils'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TuskError } from '../../src/errors.js'
import { createLocker, type LockerConfig, type TuskLocker } from '../../src/lockers/index.js'
import { lockKey } from '../../src/lockers/redis-lease.js'
import { createLogger } from '../../src/log.js'
import { type RedisService, sharedRedis, startRedis } from './redis-service.js'

// The Redis locker against a real redis-server: each createLocker() call is one "instance" with its
// own connections, so release requests between them really travel over pub/sub.

const logger = createLogger({ logLevel: 'silent' })
const never = new AbortController().signal
let redis: { url: string; dispose(): Promise<void> }
let raw: Redis
const lockers: TuskLocker[] = []

function locker(url: string, options: Partial<LockerConfig> = {}): TuskLocker {
  const made = createLocker(
    { redisUrl: url, workers: 1, dataDir: '/nonexistent', lockTimeout: 5_000, lockTtl: 2_000, ...options },
    logger,
  )
  lockers.push(made)
  return made
}

let counter = 0
const uploadId = () => `locker-test-${process.pid}-${Date.now()}-${counter++}`

beforeAll(async () => {
  redis = await sharedRedis()
  raw = new Redis(redis.url)
  raw.on('error', () => {}) // this test stops Redis on purpose
})
afterAll(async () => {
  await Promise.all(lockers.map((l) => l.close()))
  raw?.disconnect()
  await redis?.dispose()
})

// The two blocks run at the same time (the first on the shared Redis, the second on a private one it
// stops and starts): both mostly wait on lease timers. Within a block, the tests run one after another.
describe.concurrent('Redis locker', () => {
  it.sequential('is chosen whenever a Redis URL is configured', () => {
    expect(locker(redis.url).kind).toBe('redis')
  })

  it.sequential('asks the holding instance to release over pub/sub and takes the lock once it has', async () => {
    const [a, b] = [locker(redis.url), locker(redis.url)]
    const id = uploadId()
    const held = a.newLock(id)
    let asked = 0
    await held.lock(never, async () => {
      asked++
      await held.unlock()
    })
    await b.newLock(id).lock(never, () => {})
    expect(asked).toBeGreaterThanOrEqual(1)
    expect(await raw.exists(lockKey(id))).toBe(1)
  })

  it.sequential('gives up after lockTimeout with ERR_LOCK_TIMEOUT (answered 423) when the holder does not let go', async () => {
    const [a, b] = [locker(redis.url), locker(redis.url, { lockTimeout: 300 })]
    const id = uploadId()
    const stubborn = a.newLock(id)
    await stubborn.lock(never, () => {})
    const started = Date.now()
    await expect(b.newLock(id).lock(never, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    await stubborn.unlock()
    expect(await raw.exists(lockKey(id))).toBe(0)
  })

  it.sequential('stops waiting when the waiting request is aborted', async () => {
    const [a, b] = [locker(redis.url), locker(redis.url)]
    const id = uploadId()
    const holder = a.newLock(id)
    await holder.lock(never, () => {})
    const abort = new AbortController()
    const waiting = b.newLock(id).lock(abort.signal, () => {})
    setTimeout(() => abort.abort(), 100)
    const started = Date.now()
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    expect(Date.now() - started).toBeLessThan(1_000)
    await holder.unlock()
  })

  it.sequential('keeps renewing the lease while the lock is held, beyond its TTL', async () => {
    const [a, b] = [locker(redis.url, { lockTtl: 1_000 }), locker(redis.url, { lockTimeout: 200 })]
    const id = uploadId()
    const holder = a.newLock(id)
    await holder.lock(never, () => {})
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(await raw.pttl(lockKey(id))).toBeGreaterThan(0)
    await expect(b.newLock(id).lock(never, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    await holder.unlock()
  })

  it.sequential('fences a holder whose lease was taken over: it is told to stop at its next renewal', async () => {
    const a = locker(redis.url, { lockTtl: 1_200 })
    const id = uploadId()
    const holder = a.newLock(id)
    let stopped = 0
    await holder.lock(never, () => {
      stopped = Date.now()
    })
    const lostAt = Date.now()
    await raw.set(lockKey(id), 'someone-else', 'PX', 5_000)
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(stopped).toBeGreaterThan(lostAt)
    await holder.unlock() // a lease that is not ours any more is left alone
    expect(await raw.get(lockKey(id))).toBe('someone-else')
  })

  it.sequential("frees a crashed holder's lock within its TTL", async () => {
    const id = uploadId()
    const lockers = fileURLToPath(new URL('../../dist/lockers/index.js', import.meta.url))
    const log = fileURLToPath(new URL('../../dist/log.js', import.meta.url))
    const script = `
      const { createLocker } = await import(${JSON.stringify(lockers)})
      const { createLogger } = await import(${JSON.stringify(log)})
      const locker = createLocker({ redisUrl: ${JSON.stringify(redis.url)}, workers: 1, dataDir: '/x', lockTimeout: 5000, lockTtl: 1500 },
        createLogger({ logLevel: 'silent' }))
      await locker.newLock(${JSON.stringify(id)}).lock(new AbortController().signal, () => {})
      console.log('locked')
      setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const [line] = (await once(child.stdout, 'data')) as [Buffer]
    expect(line.toString()).toContain('locked')
    child.kill('SIGKILL')
    await once(child, 'exit')
    const started = Date.now()
    await locker(redis.url)
      .newLock(id)
      .lock(never, () => {})
    expect(Date.now() - started).toBeLessThan(1_500 + 500)
  })
})

describe.concurrent('Redis locker when Redis is unavailable', () => {
  let own: RedisService
  beforeAll(async () => {
    own = await startRedis()
  })
  afterAll(async () => {
    await own?.dispose()
  })

  it.sequential('answers 503 while Redis is down and works again once it is back', async () => {
    const a = locker(own.url)
    await a.newLock(uploadId()).lock(never, () => {})
    await own.stop()
    const failure = await a
      .newLock(uploadId())
      .lock(never, () => {})
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(failure).toBeInstanceOf(TuskError)
    expect((failure as TuskError).status).toBe(503)
    expect((failure as TuskError).headers['Retry-After']).toBeDefined()
    await own.start()
    const deadline = Date.now() + 5_000
    let recovered = false
    while (!recovered && Date.now() < deadline) {
      recovered = await a
        .newLock(uploadId())
        .lock(never, () => {})
        .then(
          () => true,
          () => false,
        )
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(recovered).toBe(true)
  })

  it.sequential('fences a holder that cannot renew before its lease could expire', async () => {
    const a = locker(own.url, { lockTtl: 1_500 })
    const holder = a.newLock(uploadId())
    let stoppedAfter = -1
    const acquired = Date.now()
    await holder.lock(never, () => {
      stoppedAfter = Date.now() - acquired
    })
    await own.stop()
    await new Promise((resolve) => setTimeout(resolve, 1_600))
    expect(stoppedAfter).toBeGreaterThan(0)
    expect(stoppedAfter).toBeLessThan(1_500)
    await holder.unlock() // Redis is down: must not throw (the lease expires by itself)
    await own.start()
  })
})
