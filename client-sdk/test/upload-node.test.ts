import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { MemoryUrlStorage, upload } from '../src/index.node.js'
import { headOffset, randomFile, sha256, sha256File, sha256Remote, tempDir } from './helpers/files.js'
import { announced } from './helpers/tusk-server.js'

let tusk: TestTusk
let dir: Awaited<ReturnType<typeof tempDir>>
let bigFile: string
const BIG = 12 * 1024 * 1024

beforeAll(async () => {
  tusk = await startTusk()
  dir = await tempDir()
  bigFile = await randomFile(join(dir.path, 'big.bin'), BIG)
})
afterAll(async () => {
  await tusk?.close()
  await dir?.remove()
})

const base = () => ({ endpoint: tusk.url, urlStorage: new MemoryUrlStorage(), retry: { baseDelayMs: 20 } })

describe('Node SDK against a real Tusk server', () => {
  it('uploads a file path streamed from disk; the stored bytes are identical', async () => {
    const result = await upload(bigFile, {
      ...base(),
      chunkSize: 4 * 1024 * 1024,
      metadata: { purpose: 'test' },
    }).start().done
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.size).toBe(BIG)
    expect(result.metadata).toEqual({ filename: 'big.bin', purpose: 'test' })
    expect(await sha256Remote(result.url)).toBe(await sha256File(bigFile))
  })

  it('uploads a Buffer', async () => {
    const data = randomBytes(300_000)
    const result = await upload(data, base()).start().done
    expect(result.ok && (await sha256Remote(result.url))).toBe(sha256(data))
  })

  it('uploads a Readable of unknown size with a deferred length', async () => {
    const data = randomBytes(2_500_000)
    const result = await upload(Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), {
      ...base(),
      chunkSize: 1024 * 1024,
    }).start().done
    expect(result.ok && result.plan.deferredLength).toBe(true)
    expect(result.ok && (await sha256Remote(result.url))).toBe(sha256(data))
  })

  it('uploads a Readable of known size without deferring', async () => {
    const result = await upload(createReadStream(bigFile), {
      ...base(),
      size: BIG,
      chunkSize: 4 * 1024 * 1024,
    }).start().done
    expect(result.ok && result.plan.deferredLength).toBe(false)
    expect(result.ok && (await sha256Remote(result.url))).toBe(await sha256File(bigFile))
  })

  it("pauses (the server keeps what it received) and resumes from the server's offset", async () => {
    const handle = upload(bigFile, { ...base(), chunkSize: 1024 * 1024 })
    const paused = new Promise<void>((resolve) => {
      const off = handle.on('progress', (p) => {
        if (p.bytesAcknowledged >= 3 * 1024 * 1024) {
          off()
          void handle.pause().then(resolve)
        }
      })
    })
    handle.start()
    await paused
    expect(handle.state).toBe('paused')
    const url = handle.url as string
    const offset = await headOffset(url)
    expect(offset).toBeGreaterThanOrEqual(3 * 1024 * 1024)
    expect(offset).toBeLessThan(BIG)
    // Part of the scenario: a window in which nothing may move (an absence cannot be polled for).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await headOffset(url)).toBe(offset) // nothing moves while paused

    const result = await handle.resume().done
    expect(result.ok && result.url).toBe(url)
    expect(result.ok && result.resumedFrom).toBe(offset)
    expect(await sha256Remote(url)).toBe(await sha256File(bigFile))
  })

  it('a new handle for the same file resumes the remembered upload (as after a restart)', async () => {
    const urlStorage = new MemoryUrlStorage()
    const first = upload(bigFile, { ...base(), urlStorage, chunkSize: 1024 * 1024 })
    await new Promise<void>((resolve) => {
      first.on('progress', (p) => {
        if (p.bytesAcknowledged >= 2 * 1024 * 1024 && first.state === 'running')
          void first.pause().then(resolve)
      })
      first.start()
    })
    const offset = await headOffset(first.url as string)
    const second = await upload(bigFile, { ...base(), urlStorage, chunkSize: 1024 * 1024 }).start().done
    expect(second.ok && second.url).toBe(first.url)
    expect(second.ok && second.resumedFrom).toBe(offset)
    expect(await urlStorage.findAllUploads()).toEqual([])
  })

  it('abort({ terminate: true }) deletes the upload on the server', async () => {
    const handle = upload(bigFile, { ...base(), chunkSize: 1024 * 1024 })
    await new Promise<void>((resolve) => {
      handle.on('progress', (p) => {
        if (p.bytesAcknowledged > 0 && handle.state === 'running')
          void handle.abort({ terminate: true }).then(resolve)
      })
      handle.start()
    })
    const result = await handle.done
    expect(!result.ok && result.error.code).toBe('aborted')
    const res = await fetch(handle.url as string, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    expect([404, 410]).toContain(res.status)
  })

  it('sends checksums exactly when the server announces the checksum extension', async () => {
    const caps = await announced(tusk.url)
    const result = await upload(bigFile, {
      ...base(),
      checksum: 'sha256',
      chunkSize: 4 * 1024 * 1024,
    }).start().done
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const expected =
      caps.extensions.includes('checksum') && caps.checksums.includes('sha256') ? 'sha256' : null
    expect(result.plan.checksum).toBe(expected)
    expect(await sha256Remote(result.url)).toBe(await sha256File(bigFile))
  })

  it('uploads in parallel partials exactly when the server announces concatenation', async () => {
    const caps = await announced(tusk.url)
    const result = await upload(bigFile, {
      ...base(),
      parallelUploads: 3,
      chunkSize: 2 * 1024 * 1024,
    }).start().done
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.plan.parallelUploads).toBe(caps.extensions.includes('concatenation') ? 3 : 1)
    expect(await sha256Remote(result.url)).toBe(await sha256File(bigFile))
  })
})
