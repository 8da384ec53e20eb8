import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, run, startServerProcess } from './processes.js'
import { startThrottleProxy } from './throttle-proxy.js'

// What a user gets from npm: every publishable workspace is packed (`npm pack`), the tarballs are
// installed into a fresh project outside the workspace without dev dependencies, and everything
// runs from there: the three bins, an ESM import of both libraries, and a type-check of an import
// under moduleResolution node16 and bundler. Needs a build first (`npm test` builds).

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const tsc = path.join(root, 'node_modules/typescript/bin/tsc')

let scratch: string
let project: string
let tarballs: string[]
let server: RunningServer | undefined
const bin = (name: string) => path.join(project, 'node_modules/.bin', name)

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tusk-tarballs-'))
  project = path.join(scratch, 'project')
  await mkdir(project)
  const { stdout } = await run('npm', ['query', '.workspace'], { cwd: root })
  const publishable = (JSON.parse(stdout) as { name: string; private?: boolean }[]).filter((w) => !w.private)
  // --ignore-scripts: pack what `npm test` built; packing must not rebuild the shared tree.
  await run(
    'npm',
    [
      'pack',
      '--ignore-scripts',
      '--silent',
      '--pack-destination',
      scratch,
      ...publishable.flatMap((w) => ['--workspace', w.name]),
    ],
    { cwd: root },
  )
  tarballs = (await readdir(scratch)).filter((f) => f.endsWith('.tgz')).map((f) => path.join(scratch, f))
  expect(tarballs).toHaveLength(publishable.length)
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'tarball-consumer', private: true, type: 'module' }),
  )
  // --prefer-offline: dependencies come from this machine's npm cache where it has them.
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], {
    cwd: project,
  })
  server = await startServerProcess(
    bin('tusk-server'),
    ['--port', '0', '--data-dir', path.join(scratch, 'data'), '--log-level', 'warn'],
    { cwd: project, env: process.env },
  )
}, 300_000)

afterAll(async () => {
  server?.child.kill('SIGKILL')
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

describe('the packed packages, installed from their tarballs into a project outside the workspace', () => {
  it('packs @tusk/server, @tusk/client and tusk-conformance, and installs no dev dependency', () => {
    expect(tarballs.map((t) => path.basename(t)).sort()).toEqual([
      'tusk-client-0.1.0.tgz',
      'tusk-conformance-0.1.0.tgz',
      'tusk-server-0.1.0.tgz',
    ])
    for (const devOnly of ['typescript', 'vitest', 'esbuild', 'typedoc']) {
      expect(existsSync(path.join(project, 'node_modules', devOnly)), devOnly).toBe(false)
    }
  })

  it('tusk uploads to the installed tusk-server, and after kill -9 the same command resumes', async () => {
    const file = path.join(scratch, 'big.bin')
    const content = randomBytes(8 * 2 ** 20)
    await writeFile(file, content)
    const env = { ...process.env, XDG_STATE_HOME: path.join(scratch, 'state'), TUSK_STATE_DIR: '' }
    const proxy = await startThrottleProxy(new URL(server?.url ?? ''), 4 * 2 ** 20)
    try {
      const args = ['upload', file, '--endpoint', proxy.endpoint, '--chunk-size', '1MiB']
      const first = startCli(bin('tusk'), args, project, env)
      // Wait until the server holds part of the file, then kill the CLI without warning.
      const stateFile = path.join(scratch, 'state/tusk/uploads.json')
      const offset = await until(async () => {
        const text = await readFile(stateFile, 'utf8').catch(() => '')
        const url = /"(http:\/\/[^"]+\/files\/[^"]+)"/.exec(text)?.[1]
        if (!url) return undefined
        const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
        const at = Number(head.headers.get('upload-offset'))
        return at > 0 && at < content.length ? at : undefined
      })
      first.kill('SIGKILL')
      proxy.state.throttled = false
      const { stdout } = await run(bin('tusk'), [...args, '--json'], { cwd: project, env })
      const [result] = (
        JSON.parse(stdout) as { results: { ok: boolean; url: string; resumedFrom: number }[] }
      ).results
      expect(result?.ok).toBe(true)
      expect(result?.resumedFrom).toBeGreaterThanOrEqual(offset)
      const stored = Buffer.from(await (await fetch(result?.url ?? '')).arrayBuffer())
      expect(sha256(stored)).toBe(sha256(content))
    } finally {
      await proxy.close()
    }
  })

  it('tusk-conformance passes against the installed tusk-server', async () => {
    const { stdout } = await run(bin('tusk-conformance'), [server?.url ?? ''], { cwd: project })
    expect(stdout).toMatch(/^\d+ passed, 0 failed(, \d+ skipped)?$/m)
  })

  it('imports @tusk/client and @tusk/server from an ESM script and uploads in-process', async () => {
    await copyFile(path.join(fixtures, 'esm-import.mjs'), path.join(project, 'esm-import.mjs'))
    const { stdout } = await run(process.execPath, ['esm-import.mjs'], { cwd: project })
    expect(JSON.parse(stdout)).toEqual({ ok: true, size: 43 })
  })

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    // A bundler build for Node selects @tusk/client's "node" export condition.
    [
      'bundler with the "node" condition',
      { module: 'esnext', moduleResolution: 'bundler', customConditions: ['node'] },
    ],
  ])('type-checks an import of both packages under moduleResolution %s', async (name, resolution) => {
    await copyFile(path.join(fixtures, 'typed-import.ts'), path.join(project, 'typed-import.ts'))
    const tsconfig = path.join(project, `tsconfig.${name.replace(/\W+/g, '-')}.json`)
    await writeFile(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          ...resolution,
          target: 'es2023',
          strict: true,
          noEmit: true,
          // The consumer brings @types/node (as any Node project does); the workspace's copy stands in.
          typeRoots: [path.join(root, 'node_modules/@types')],
          types: ['node'],
          // The declarations themselves (and every dependency's) are checked once, under node16;
          // the bundler runs check only what the import resolves to (each full check takes ~30 s).
          skipLibCheck: name !== 'node16',
        },
        files: ['typed-import.ts'],
      }),
    )
    await run(process.execPath, [tsc, '-p', tsconfig], { cwd: project })
  })

  it('the installed tusk-server stops on SIGTERM with exit status 0', async () => {
    server?.child.kill('SIGTERM')
    expect(await server?.exited).toBe(0)
  })
})

/** Starts the CLI without waiting for it: the test kills it half-way. */
function startCli(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return spawn(command, args, { cwd, env, stdio: 'ignore' })
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
