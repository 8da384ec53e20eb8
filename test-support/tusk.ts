import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll } from 'vitest'
import { type ConfigInput, startServer, type TuskServer } from '../server/src/index.js'
import { closeWhenDone } from './lifecycle.js'

export type StartOptions = NonNullable<Parameters<typeof startServer>[1]>

export interface TestTusk extends TuskServer {
  /** The data directory: a fresh temporary one unless the config names one. */
  readonly dataDir: string
}

async function launch(config: ConfigInput, options: StartOptions): Promise<TestTusk> {
  const ownDir = config.dataDir === undefined
  const dataDir = config.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'tusk-test-')))
  let server: TuskServer
  try {
    server = await startServer({ port: 0, logLevel: 'silent', ...config, dataDir }, options)
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  const close = server.close.bind(server)
  return Object.assign(server, {
    dataDir,
    // Idempotent, so a test may close it early (to test a restart) and the registered close is harmless.
    close: once(async () => {
      await close()
      if (ownDir) await rm(dataDir, { recursive: true, force: true })
    }),
  })
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return () => {
    running ??= fn()
    return running
  }
}

/**
 * A real Tusk, in this process, on port 0 over a fresh data directory, quiet unless the config says
 * otherwise. Its close (which also removes the data directory it made) is registered at once: after
 * the current test when started in one, after the describe/file when started at its top level.
 */
export async function startTusk(config: ConfigInput = {}, options: StartOptions = {}): Promise<TestTusk> {
  const tusk = await launch(config, options)
  closeWhenDone(tusk.close)
  return tusk
}

/**
 * startTusk for a describe block without top-level await: starts in a beforeAll whose returned
 * teardown closes it. The config may be a function, called in that beforeAll (to make a bucket
 * first). Read `.server` inside tests and hooks, not in the describe body.
 */
export function useTusk(
  config: ConfigInput | (() => Promise<ConfigInput>) = {},
  options: StartOptions = {},
): { readonly server: TestTusk } {
  let started: TestTusk | undefined
  beforeAll(async () => {
    const tusk = await launch(typeof config === 'function' ? await config() : config, options)
    started = tusk
    return tusk.close
  })
  return {
    get server() {
      if (!started) throw new Error('useTusk: the server is started in beforeAll; read it in a test or hook')
      return started
    },
  }
}
