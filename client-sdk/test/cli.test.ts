import { existsSync } from 'node:fs'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { until } from '../../test-support/until.js'
import { recordedUrls, runCli, startCli } from './helpers/cli.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { headOffset, randomFile, sha256File, sha256Remote, tempDir } from './helpers/files.js'

let tusk: TestTusk
let proxy: FaultProxy
let dir: Awaited<ReturnType<typeof tempDir>>
let state: string
let file: string
const SIZE = 24 * 1024 * 1024

beforeAll(async () => {
  tusk = await startTusk()
  dir = await tempDir()
  file = await randomFile(join(dir.path, 'big.bin'), SIZE)
})
afterAll(async () => {
  await tusk?.close()
  await dir?.remove()
})
beforeEach(async (context) => {
  proxy = await FaultProxy.start(tusk.url)
  state = join(dir.path, `state-${context.task.id}`)
})
afterEach(async () => {
  await proxy.close()
})

const uploadedUrl = (stdout: string) => /uploaded (\S+)/.exec(stdout)?.[1]

describe('tusk CLI', () => {
  it('after kill -9 mid-upload, the same command resumes from the server offset without re-sending', async () => {
    proxy.throttle = 8 * 1024 * 1024 // bytes/s: slow enough to be killed half-way
    const args = ['upload', file, '--endpoint', proxy.endpoint]
    const first = startCli(args, state)
    const url = await until(
      async () => (await recordedUrls(state))[0],
      30_000,
      'the upload URL in the state file',
    )
    await until(async () => (await headOffset(url)) > SIZE / 4, 30_000, 'a quarter of the file on the server')
    first.child.kill('SIGKILL')
    expect(await first.exit).toBeNull()
    // No wait for the server to notice the dead client: HEAD takes the upload's lock, which stops the
    // PATCH still in flight, so the offset it reports is settled.
    const offsetBefore = await headOffset(url)
    expect(offsetBefore).toBeGreaterThan(0)
    expect(offsetBefore).toBeLessThan(SIZE)

    proxy.throttle = null
    const second = await runCli(args, state)
    expect(second.code).toBe(0)
    expect(uploadedUrl(second.stdout)).toBe(url)
    expect(second.stdout).toContain(`resumed at byte ${offsetBefore}`)
    expect(await sha256Remote(url)).toBe(await sha256File(file))
    // Both runs together sent little more than the file once.
    console.info(
      `kill -9 resume: server offset ${offsetBefore} before re-run; ${proxy.bodyBytes} body bytes sent for ${SIZE}`,
    )
    expect(proxy.bodyBytes).toBeLessThan(1.2 * SIZE)
    expect(await recordedUrls(state)).toEqual([])
  })

  it('Ctrl-C pauses cleanly (exit 130, offset kept); list shows it and resume finishes it', async () => {
    proxy.throttle = 8 * 1024 * 1024
    const run = startCli(['upload', file, '--endpoint', proxy.endpoint, '--chunk-size', '4MiB'], state)
    const url = await until(
      async () => (await recordedUrls(state))[0],
      30_000,
      'the upload URL in the state file',
    )
    await until(async () => (await headOffset(url)) > 0, 30_000, 'bytes on the server')
    run.child.kill('SIGINT')
    expect(await run.exit).toBe(130)
    expect(run.stdout()).toContain('run the same command again to resume')
    const offset = await headOffset(url)
    expect(offset).toBeGreaterThan(0)

    const list = await runCli(['list', '--json'], state)
    expect(list.code).toBe(0)
    const { uploads } = JSON.parse(list.stdout) as {
      uploads: Array<{ file: string; urls: string[]; offset: number }>
    }
    expect(uploads).toEqual([expect.objectContaining({ file, urls: [url], offset })])

    proxy.throttle = null
    const resumed = await runCli(['resume', '--json'], state)
    expect(resumed.code).toBe(0)
    const { results } = JSON.parse(resumed.stdout) as {
      results: Array<{ ok: boolean; url: string; resumedFrom: number }>
    }
    expect(results).toEqual([expect.objectContaining({ ok: true, url, resumedFrom: offset })])
    expect(await sha256Remote(url)).toBe(await sha256File(file))
    expect(JSON.parse((await runCli(['list', '--json'], state)).stdout).uploads).toEqual([])
  })

  it('uploads several files with --json and metadata; status shows the upload', async () => {
    const small = join(dir.path, 'small.txt')
    await writeFile(small, 'hello tusk\n')
    const result = await runCli(
      [
        'upload',
        small,
        file,
        '--endpoint',
        tusk.url,
        '--metadata',
        'project=demo',
        '--json',
        '--checksum',
        'sha256',
      ],
      state,
    )
    expect(result.code).toBe(0)
    const { results } = JSON.parse(result.stdout) as {
      results: Array<{ ok: boolean; url: string; size: number }>
    }
    expect(results.map((r) => [r.ok, r.size])).toEqual([
      [true, 11],
      [true, SIZE],
    ])
    const status = await runCli(['status', results[0]?.url as string, '--json'], state)
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({
      offset: 11,
      length: 11,
      complete: true,
      metadata: { filename: 'small.txt', project: 'demo' },
    })
  })

  it('download resumes a partial file with Range and ends byte-identical', async () => {
    const upload = await runCli(['upload', file, '--endpoint', proxy.endpoint, '--json'], state)
    const url = (JSON.parse(upload.stdout) as { results: Array<{ url: string }> }).results[0]?.url as string
    const out = join(dir.path, 'downloaded.bin')
    proxy.responseThrottle = 4 * 1024 * 1024
    const first = startCli(['download', url, '-o', out], state)
    await until(
      async () => existsSync(`${out}.part`) && (await stat(`${out}.part`)).size > 1024 * 1024,
      30_000,
      'over 1 MiB in the .part file',
    )
    first.child.kill('SIGINT')
    expect(await first.exit).toBe(130)
    const partial = (await stat(`${out}.part`)).size
    expect(partial).toBeLessThan(SIZE)

    proxy.responseThrottle = null
    const again = await runCli(['download', url, '-o', out, '--json'], state)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ file: out, size: SIZE, resumedFrom: partial })
    expect(proxy.requests.filter((r) => r.method === 'GET').at(-1)?.headers.range).toBe(`bytes=${partial}-`)
    expect(await sha256File(out)).toBe(await sha256File(file))
    expect(existsSync(`${out}.part`)).toBe(false)
  })

  it('exit code 2 and one sentence for usage errors', async () => {
    for (const args of [
      ['upload', file],
      ['upload', '/no/such/file', '--endpoint', tusk.url],
      ['frobnicate'],
      ['upload', file, '--endpoint', tusk.url, '--chunk-size', 'big'],
      ['upload', file, '--endpoint', tusk.url, '--retries', 'many'],
      ['status', 'not-a-url'],
      ['download', 'not-a-url'],
      ['abort', 'ftp://example.com/files/1'],
    ]) {
      const result = await runCli(args, state)
      expect(result.code).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/^tusk: \S.*\.\n$/)
    }
  })

  it('without arguments prints the help alone and exits 2', async () => {
    const result = await runCli([], state)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Usage: tusk \[options\] \[command\]\n/)
    expect(result.stderr).toContain('upload [options] <files...>')
    expect(result.stderr).not.toContain('tusk:')
  })

  it('exit code 1 and one sentence when the upload fails', async () => {
    const result = await runCli(
      ['upload', file, '--endpoint', 'http://127.0.0.1:9/files', '--retries', '0'],
      state,
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/big\.bin: POST .*: connection refused .*; is the server running\?/)
    expect(result.stderr).toBe('tusk: 1 of 1 uploads failed.\n')
  })

  it('abort <file> terminates its recorded upload on the server', async () => {
    proxy.throttle = 4 * 1024 * 1024
    const run = startCli(['upload', file, '--endpoint', proxy.endpoint], state)
    const url = await until(
      async () => (await recordedUrls(state))[0],
      30_000,
      'the upload URL in the state file',
    )
    run.child.kill('SIGKILL')
    await run.exit
    const aborted = await runCli(['abort', file], state)
    expect(aborted.code).toBe(0)
    const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    expect([404, 410]).toContain(res.status)
    expect(await recordedUrls(state)).toEqual([])
    expect((await runCli(['abort', file], state)).code).toBe(1)
  })

  it('abort of a URL the server does not know says so and exits 1', async () => {
    const unknown = `${tusk.url}/0123456789abcdef0123456789abcdef`
    const result = await runCli(['abort', unknown], state)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `tusk: No upload at ${unknown}: the server answered not found; nothing was terminated.\n`,
    )
  })
})
