import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERRORS } from '@tus/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockDirectory } from '../../src/lockers/file-lease.js'
import { createLocker, type LockerConfig, type TuskLocker } from '../../src/lockers/index.js'
import { createLogger } from '../../src/log.js'

// The file locker (cluster mode without Redis) between real processes sharing a data directory.

const logger = createLogger({ logLevel: 'silent' })
const never = new AbortController().signal
let dataDir: string
const lockers: TuskLocker[] = []
const children: ChildProcess[] = []

function locker(options: Partial<LockerConfig> = {}): TuskLocker {
  const made = createLocker({ workers: 2, dataDir, lockTimeout: 2_000, lockTtl: 1_500, ...options }, logger)
  lockers.push(made)
  return made
}

/** Another process that takes the lock on `id` through the built file locker and keeps it. */
async function holdInOtherProcess(id: string): Promise<ChildProcess> {
  const lockers = fileURLToPath(new URL('../../dist/lockers/index.js', import.meta.url))
  const log = fileURLToPath(new URL('../../dist/log.js', import.meta.url))
  const script = `
    const { createLocker } = await import(${JSON.stringify(lockers)})
    const { createLogger } = await import(${JSON.stringify(log)})
    const locker = createLocker({ workers: 2, dataDir: ${JSON.stringify(dataDir)}, lockTimeout: 5000, lockTtl: 1500 },
      createLogger({ logLevel: 'silent' }))
    await locker.newLock(${JSON.stringify(id)}).lock(new AbortController().signal, () => {})
    console.log('locked')
    setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const [line] = (await once(child.stdout, 'data')) as [Buffer]
  expect(line.toString()).toContain('locked')
  return child
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-file-locker-'))
})
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(lockers.map((l) => l.close()))
  await rm(dataDir, { recursive: true, force: true })
})

describe('file locker (several workers, no Redis)', () => {
  it('is chosen when several workers share the machine and no Redis is configured', () => {
    expect(locker().kind).toBe('file')
    expect(createLocker({ workers: 1, dataDir, lockTimeout: 1_000, lockTtl: 1_000 }, logger).kind).toBe(
      'memory',
    )
  })

  it('keeps a lock held by another process exclusive, then gives up with ERR_LOCK_TIMEOUT', async () => {
    const child = await holdInOtherProcess('held-elsewhere')
    const started = Date.now()
    await expect(
      locker({ lockTimeout: 400 })
        .newLock('held-elsewhere')
        .lock(never, () => {}),
    ).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    expect(Date.now() - started).toBeGreaterThanOrEqual(390)
    child.kill('SIGKILL')
  })

  it('takes over at once the lock of a process that died (its pid is gone)', async () => {
    const child = await holdInOtherProcess('holder-dies')
    child.kill('SIGKILL')
    await once(child, 'exit')
    const started = Date.now()
    await locker()
      .newLock('holder-dies')
      .lock(never, () => {})
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('takes over a lock whose owner stopped renewing it (older than the TTL), but not a fresh one', async () => {
    const file = path.join(lockDirectory(dataDir), 'foreign.lock')
    await writeFile(file, JSON.stringify({ token: 'x', pid: 1, host: 'another-machine' }))
    await expect(
      locker({ lockTimeout: 300 })
        .newLock('foreign')
        .lock(never, () => {}),
    ).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    const old = new Date(Date.now() - 10_000)
    await utimes(file, old, old)
    await locker({ lockTimeout: 300 })
      .newLock('foreign')
      .lock(never, () => {})
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid)
  })

  it('hands the lock over within one process when the holder releases on request', async () => {
    const l = locker()
    const first = l.newLock('handover')
    await first.lock(never, () => first.unlock())
    await l.newLock('handover').lock(never, () => {})
  })

  it('renews its lock file while held and fences the holder when the file is taken away', async () => {
    const l = locker({ lockTtl: 1_200 })
    const lock = l.newLock('renewed')
    let fenced = false
    await lock.lock(never, () => {
      fenced = true
    })
    const file = path.join(lockDirectory(dataDir), 'renewed.lock')
    const old = new Date(Date.now() - 60_000)
    await utimes(file, old, old)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect((await stat(file)).mtimeMs).toBeGreaterThan(Date.now() - 1_000) // renewed
    expect(fenced).toBe(false)
    await writeFile(file, JSON.stringify({ token: 'thief', pid: process.pid, host: 'h' }))
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(fenced).toBe(true)
    await lock.unlock()
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe('thief') // not ours: left alone
  })

  it('removes its lock file on unlock, leaving no stale locks', async () => {
    const lock = locker().newLock('tidy')
    await lock.lock(never, () => {})
    await lock.unlock()
    expect((await readdir(lockDirectory(dataDir))).filter((f) => f.startsWith('tidy'))).toEqual([])
  })
})
