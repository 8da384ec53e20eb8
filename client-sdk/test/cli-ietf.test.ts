import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnTusk, type TuskProcess } from '../../test-support/tusk-process.js'
import { until } from '../../test-support/until.js'
import { recordedUrls, runCli, startCli } from './helpers/cli.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { randomFile, sha256File, sha256Remote, tempDir } from './helpers/files.js'

// The CLI's --protocol ietf end to end: tus-js-client speaking the IETF resumable-upload draft
// (interop 6) through the SDK, against the built server (server/dist, a separate process) on the file
// store. The CLI is killed mid-upload and the same command resumes it byte-exact.

const SIZE = 12 * 1024 * 1024
const DRAFT = { 'Upload-Draft-Interop-Version': '6' }

let tusk: TuskProcess
let dataDir: string
let dir: Awaited<ReturnType<typeof tempDir>>
let file: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tusk-cli-ietf-'))
  tusk = await spawnTusk(['--data-dir', dataDir, '--log-level', 'warn'])
  dir = await tempDir()
  file = await randomFile(join(dir.path, 'draft.bin'), SIZE)
})
afterAll(async () => {
  await tusk?.stop()
  await rm(dataDir, { recursive: true, force: true })
  await dir?.remove()
})

/** The offset the server reports for a draft upload (HEAD with the interop version). */
async function draftOffset(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: DRAFT })
  if (!res.ok) throw new Error(`HEAD ${url} answered ${res.status}`)
  return Number(res.headers.get('Upload-Offset'))
}

/** The draft offset once two reads a second apart agree. */
async function settledOffset(url: string): Promise<number> {
  let previous = await draftOffset(url)
  for (;;) {
    await sleep(1_000)
    const current = await draftOffset(url)
    if (current === previous) return current
    previous = current
  }
}

describe('tusk upload --protocol ietf', () => {
  it('uploads over the draft, is killed mid-upload, and the same command resumes it byte-exact', async () => {
    const proxy = await FaultProxy.start(tusk.url)
    try {
      const state = join(dir.path, 'state-kill')
      proxy.throttle = 4 * 1024 * 1024 // bytes/s: slow enough to be killed part-way
      const args = [
        'upload',
        file,
        '--endpoint',
        proxy.endpoint,
        '--protocol',
        'ietf',
        '--chunk-size',
        '4MiB',
      ]
      const first = startCli(args, state)
      const url = await until(
        async () => (await recordedUrls(state))[0],
        30_000,
        'the upload URL in the state file',
      )
      await until(
        async () => (await draftOffset(url)) > SIZE / 4,
        30_000,
        'a quarter of the file on the server',
      )
      first.child.kill('SIGKILL')
      expect(await first.exit).toBeNull()
      // The proxy may still deliver what the dead client had handed it: wait until the offset settles.
      const offsetBefore = await settledOffset(url)
      expect(offsetBefore).toBeGreaterThan(0)
      expect(offsetBefore).toBeLessThan(SIZE)

      proxy.throttle = null
      const second = await runCli(args, state)
      expect(second.stderr).toBe('')
      expect(second.code).toBe(0)
      expect(second.stdout).toContain(`uploaded ${url}`)
      expect(second.stdout).toContain(`resumed at byte ${offsetBefore}`)
      expect(await sha256Remote(url)).toBe(await sha256File(file))
      const complete = await fetch(url, { method: 'HEAD', headers: DRAFT })
      expect(complete.headers.get('upload-complete')).toBe('?1')

      // Every upload request spoke the draft (interop 6), none tus v1: creation, offset reads, appends.
      // (OPTIONS is the SDK's tus capability discovery; GET is this test's download.)
      const uploadRequests = proxy.requests.filter((req) => req.method !== 'OPTIONS' && req.method !== 'GET')
      expect(uploadRequests.map((req) => req.method)).toEqual(
        expect.arrayContaining(['POST', 'HEAD', 'PATCH']),
      )
      for (const req of uploadRequests) {
        expect(req.headers['upload-draft-interop-version'], `${req.method} ${req.path}`).toBe('6')
        expect(req.headers['tus-resumable']).toBeUndefined()
      }
      for (const req of uploadRequests.filter((r) => r.method === 'PATCH'))
        expect(req.headers['content-type']).toBe('application/partial-upload')
    } finally {
      await proxy.close()
    }
  })

  it('abort <file> cancels a recorded draft upload with the draft (DELETE with the interop version)', async () => {
    const proxy = await FaultProxy.start(tusk.url)
    try {
      const state = join(dir.path, 'state-abort')
      proxy.throttle = 1024 * 1024
      const first = startCli(['upload', file, '--endpoint', proxy.endpoint, '--protocol', 'ietf'], state)
      const url = await until(
        async () => (await recordedUrls(state))[0],
        30_000,
        'the upload URL in the state file',
      )
      first.child.kill('SIGKILL')
      await first.exit
      const aborted = await runCli(['abort', file], state)
      expect(aborted.stderr).toBe('')
      expect(aborted.code).toBe(0)
      const deletes = proxy.requests.filter((req) => req.method === 'DELETE')
      expect(deletes.map((req) => req.headers['upload-draft-interop-version'])).toEqual(['6'])
      expect((await fetch(url, { method: 'HEAD', headers: DRAFT })).status).toBe(404)
      expect(await recordedUrls(state)).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('refuses an unknown protocol with exit code 2 and one sentence', async () => {
    const result = await runCli(
      ['upload', file, '--endpoint', tusk.url, '--protocol', 'quic'],
      join(dir.path, 'state-bad'),
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('tusk: --protocol must be tus or ietf (tus-v1, ietf-draft-05), not "quic".\n')
  })
})
