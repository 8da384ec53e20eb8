import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { childrenOf, spawnTusk } from '../../../test-support/tusk-process.js'
import { until } from '../../../test-support/until.js'
import { lockDirectory } from '../../src/lockers/file-lease.js'
import { createUpload, patch, send, TUS } from '../helpers.js'
import { stalledPatch } from '../lockers/stalled-patch.js'

// `--workers 2` without Redis: two worker processes on one port, sharing locks through lock files.

const KiB = 1024

const sizeOnDisk = async (id: string) => (await stat(path.join(dataDir, id)).catch(() => ({ size: -1 }))).size
const lockHolder = async (id: string) =>
  JSON.parse(await readFile(path.join(lockDirectory(dataDir), `${id}.lock`), 'utf8').catch(() => '{}')).pid as
    | number
    | undefined

// Killed with its workers after the file's tests (the last test stops it gracefully itself).
const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-cluster-'))
afterAll(() => rm(dataDir, { recursive: true, force: true }))
const tusk = await spawnTusk(['--workers=2', `--data-dir=${dataDir}`, '--lock-ttl=2s', '--log-level=warn'])

describe('cluster mode (--workers 2, file store, no Redis)', () => {
  it('runs two worker processes serving one port', async () => {
    await until(() => childrenOf(tusk.pid).length === 2, 5_000, 'two workers')
    const data = bytes(100 * KiB, 1)
    const url = await createUpload(tusk.url, data.length)
    expect((await patch(url, 0, data)).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })

  it('shares upload locks between workers through lock files, and leaves none behind', async () => {
    const data = bytes(128 * KiB, 2)
    const url = await createUpload(tusk.url, data.length)
    const id = url.split('/').pop() as string
    const inFlight = stalledPatch(url, 0, data.subarray(0, 32 * KiB), data.length)
    await until(async () => (await sizeOnDisk(id)) === 32 * KiB, 5_000, 'the first 32 KiB on disk')
    const holder = await lockHolder(id)
    expect(childrenOf(tusk.pid)).toContain(holder)
    // Whichever worker this HEAD reaches, it must wait for the PATCH to stop, then see its bytes.
    const head = await send(url, { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(200)
    expect(head.headers['upload-offset']).toBe(String(32 * KiB))
    await inFlight.ended
    expect((await patch(url, 32 * KiB, data.subarray(32 * KiB))).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
    expect(await readdir(lockDirectory(dataDir))).toEqual([])
  })

  it('restarts a worker killed with SIGKILL, and its locks are taken over at once', async () => {
    const data = bytes(64 * KiB, 3)
    const url = await createUpload(tusk.url, data.length)
    const id = url.split('/').pop() as string
    stalledPatch(url, 0, data.subarray(0, 16 * KiB), data.length)
    await until(async () => (await sizeOnDisk(id)) === 16 * KiB, 5_000, 'the first 16 KiB on disk')
    const victim = (await lockHolder(id)) as number
    process.kill(victim, 'SIGKILL')
    const started = Date.now()
    const head = await send(url, { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(1_500)
    await until(
      () => {
        const workers = childrenOf(tusk.pid)
        return workers.length === 2 && !workers.includes(victim)
      },
      5_000,
      'a replacement worker',
    )
    expect((await patch(url, 16 * KiB, data.subarray(16 * KiB))).status).toBe(204)
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })

  it('stops every worker gracefully on SIGTERM to the supervisor (exit status 0)', async () => {
    const workers = childrenOf(tusk.pid)
    expect(await tusk.stop('SIGTERM')).toBe(0)
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow()
  })
})
