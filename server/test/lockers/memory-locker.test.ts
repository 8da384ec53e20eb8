import { setTimeout as sleep } from 'node:timers/promises'
import { ERRORS } from '@tus/utils'
import { describe, expect, it } from 'vitest'
import { createLocker } from '../../src/lockers/index.js'
import { createLogger } from '../../src/log.js'

// The in-process locker (one server process, no Redis): what a waiting lock costs and how it ends.

const logger = createLogger({ logLevel: 'silent' })
const never = new AbortController().signal
const locker = (lockTimeout = 2_000) =>
  createLocker({ workers: 1, dataDir: '/nonexistent', lockTimeout, lockTtl: 1_500 }, logger)

describe('in-process locker', () => {
  it('asks the holder to let go once and sleeps until it does, rather than polling (no CPU or memory per turn)', async () => {
    const locks = locker()
    const holder = locks.newLock('a')
    let asked = 0
    await holder.lock(never, () => {
      asked++
    })
    const waiter = locks.newLock('a').lock(never, () => {})
    const cpuBefore = process.cpuUsage()
    await sleep(300)
    const cpu = process.cpuUsage(cpuBefore)
    // @tus/server's MemoryLocker asked again on every setImmediate turn: thousands of times here.
    expect(asked).toBe(1)
    expect((cpu.user + cpu.system) / 1_000).toBeLessThan(100)
    await holder.unlock()
    await waiter
  })

  it('hands the lock to each waiter in turn as the holders release it', async () => {
    const locks = locker()
    const order: number[] = []
    const first = locks.newLock('b')
    await first.lock(never, () => {})
    const waiting = [1, 2, 3].map(async (n) => {
      const lock = locks.newLock('b')
      await lock.lock(never, () => {})
      order.push(n)
      await sleep(10)
      await lock.unlock()
    })
    await sleep(20)
    await first.unlock()
    await Promise.all(waiting)
    expect(order.sort()).toEqual([1, 2, 3])
  })

  it('gives up with ERR_LOCK_TIMEOUT after the lock timeout, and at once when its request is aborted', async () => {
    const locks = locker(200)
    await locks.newLock('c').lock(never, () => {})
    const started = Date.now()
    await expect(locks.newLock('c').lock(never, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    const stop = new AbortController()
    const aborted = locks.newLock('c').lock(stop.signal, () => {})
    stop.abort()
    await expect(aborted).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
  })

  it('refuses to release a lock it does not hold', async () => {
    const locks = locker()
    await expect(locks.newLock('d').unlock()).rejects.toThrow('Releasing an unlocked lock!')
  })
})
