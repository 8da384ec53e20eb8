import { cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUpload,
  freePort,
  type RunningServer,
  run,
  slowPatch,
  startServerProcess,
} from '../../test/install/processes.js'
import { readStage } from './dockerfile.js'

// No container engine runs here, so the image's runtime stage is replayed outside one: the files
// its COPY lines take from the build stage (this built work tree), its `npm ci` in a scratch
// directory outside the workspace, its ENV, its CMD, its HEALTHCHECK command. What only a container
// can do (apt-get tini, the /data directory and its owner) is listed below and checked as text, so a
// new RUN step fails this test until it is replayed here too.

const root = fileURLToPath(new URL('../../', import.meta.url))
const stage = readStage(path.join(root, 'Dockerfile'), 'runtime')
const CONTAINER_ONLY_RUNS = [
  /^apt-get update && apt-get install -y --no-install-recommends tini && rm -rf \/var\/lib\/apt\/lists\/\*$/,
  /^mkdir -p \/data && chown node:node \/data$/,
]

let scratch: string
let appDir: string
let server: RunningServer | undefined

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tusk-runtime-stage-'))
  appDir = path.join(scratch, stage.workdir)
  await mkdir(appDir, { recursive: true })
  for (const copy of stage.copies) {
    expect(copy.from, 'the runtime stage copies only from the build stage').toBe('build')
    for (const source of copy.sources) {
      // The build stage's WORKDIR is /src, which is this work tree (built by `npm test`).
      const relative = path.relative('/src', source)
      const destination = copy.destination.endsWith('/')
        ? path.join(appDir, copy.destination, path.basename(relative))
        : path.join(appDir, copy.destination)
      await cp(path.join(root, relative), destination, { recursive: true })
    }
  }
  for (const command of stage.runs) {
    if (CONTAINER_ONLY_RUNS.some((pattern) => pattern.test(command))) continue
    expect(command, 'a RUN step this test does not know how to replay').toMatch(/^npm ci /)
    for (const step of command.split(' && ')) {
      if (/^npm cache clean /.test(step)) {
        // In the image it empties the image's own cache. Here it must not empty this machine's: that
        // is the developer's, and other tests' installs read it at the same time (a clean while
        // another npm used it failed with ENOTEMPTY). It runs, on a cache of the scratch directory.
        await run('sh', ['-c', `${step} --cache "${path.join(scratch, 'npm-cache')}"`], { cwd: appDir })
        continue
      }
      expect(step, 'a RUN step this test does not know how to replay').toMatch(/^npm ci /)
      // --prefer-offline: the packages come from this machine's npm cache where it has them.
      await run('sh', ['-c', step.replace(/^npm ci /, 'npm ci --prefer-offline ')], { cwd: appDir })
    }
  }
}, 300_000)

afterAll(async () => {
  server?.child.kill('SIGKILL')
  await rm(scratch, { recursive: true, force: true })
})

describe('the Dockerfile runtime stage, replayed outside a container', () => {
  it("leaves this machine's npm cache as it was (its `npm cache clean` empties a cache of its own)", async () => {
    const { stdout } = await run('npm', ['config', 'get', 'cache'], { cwd: appDir })
    const entries = await readdir(path.join(stdout.trim(), '_cacache', 'index-v5'))
    expect(entries.length).toBeGreaterThan(0)
  })

  it('is a production install: @tusk/server runtime dependencies only, no dev tools', async () => {
    expect(stage.runs.some((r) => r.includes('npm ci --omit=dev'))).toBe(true)
    await expect(stat(path.join(appDir, 'node_modules/koa'))).resolves.toBeTruthy()
    for (const devOnly of ['typescript', 'vitest', '@biomejs/biome', 'esbuild', 'tus-js-client']) {
      await expect(stat(path.join(appDir, 'node_modules', devOnly)), devOnly).rejects.toThrow()
    }
  })

  it('runs as a non-root user behind an init, with a data volume and TUSK_* configuration', () => {
    expect(stage.user).toBe('node')
    expect(stage.entrypoint).toEqual(['/usr/bin/tini', '--'])
    expect(stage.volumes).toContain(stage.env.TUSK_DATA_DIR)
    expect(stage.env.TUSK_HOST).toBe('0.0.0.0')
  })

  it('starts with its CMD and ENV, answers its HEALTHCHECK, and on SIGTERM drains an in-flight upload and exits 0', async () => {
    const cmd = stage.cmd ?? []
    expect(cmd[0]).toBe('node')
    const port = await freePort()
    const env = {
      ...process.env,
      ...stage.env,
      // The image's /data and port 1080 stand for a scratch directory and a free port here.
      TUSK_DATA_DIR: path.join(scratch, 'data'),
      TUSK_PORT: String(port),
      TUSK_SHUTDOWN_TIMEOUT: '10s',
    }
    server = await startServerProcess(process.execPath, cmd.slice(1), { cwd: appDir, env })
    expect(new URL(server.url).port).toBe(String(port))

    const [check, ...checkArgs] = stage.healthcheck ?? []
    expect(check).toBe('node')
    await run(process.execPath, checkArgs, { cwd: appDir, env, timeoutMs: 3_000 })
    expect(await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).toMatchObject({ status: 'ready' })

    const body = Buffer.alloc(300_000, 7)
    const upload = await createUpload(`http://127.0.0.1:${port}/files`, body.length)
    const inFlight = slowPatch(upload, body, 100_000)
    await new Promise((resolve) => setTimeout(resolve, 200))
    server.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 200))
    // Draining: the health check now fails (no new connections), the upload in flight finishes.
    await expect(run(process.execPath, checkArgs, { cwd: appDir, env, timeoutMs: 3_000 })).rejects.toThrow()
    inFlight.finish()
    await inFlight.closed
    expect(inFlight.response()).toMatch(/^HTTP\/1\.1 204/)
    expect(await server.exited).toBe(0)
    const id = new URL(upload).pathname.split('/').pop() ?? ''
    expect((await stat(path.join(scratch, 'data', id))).size).toBe(body.length)
  })
})
