import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from '../../../test-support/ports.js'

const run = promisify(execFile)
const scripts = fileURLToPath(new URL('../../../scripts/', import.meta.url))

export interface RedisService {
  url: string
  port: number
  /** Stops the server (pid file); it can be started again on the same port with start(). */
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its directory. */
  dispose(): Promise<void>
}

/**
 * A private redis-server started with the project's own scripts/redis-start.sh on a free port.
 * Throws (the suite fails, loudly) when Redis cannot be started: these tests are never skipped.
 */
export async function startRedis(): Promise<RedisService> {
  const port = await freePort()
  const dir = await mkdtemp(path.join(tmpdir(), 'tusk-redis-test-'))
  const start = async () => {
    try {
      await run(path.join(scripts, 'redis-start.sh'), [String(port), dir])
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      throw new Error(`Redis is required for this suite and could not be started: ${e.stderr || e.message}`)
    }
  }
  const stop = async () => {
    await run(path.join(scripts, 'redis-stop.sh'), [String(port), dir])
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async dispose() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** REDIS_URL when the environment provides one (CI), else a private server from startRedis(). */
export async function sharedRedis(): Promise<{ url: string; dispose(): Promise<void> }> {
  const url = process.env.REDIS_URL
  if (url) return { url, dispose: async () => {} }
  return startRedis()
}
