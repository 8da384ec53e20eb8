import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

// Vitest global setup: the tests talk to a real Redis, a real S3-compatible service and Azurite (Azure
// Blob Storage). When the environment already names them (REDIS_URL, S3_ENDPOINT, AZURE_BLOB_ENDPOINT:
// CI and developers who keep them running), they are used as they are; otherwise this starts them
// with the project's own scripts, so that a plain `npm test` works on a fresh machine, and stops them
// afterwards. A service that cannot be
// started fails the run here, loudly, instead of every suite failing on its own.

const root = fileURLToPath(new URL('../', import.meta.url))
const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(`${root}scripts/${script}`, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** Reads `export NAME=value` / `NAME=value` lines into process.env. */
function loadEnvFile(file: string) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (match?.[1]) process.env[match[1]] = match[2]
  }
}

export default async function startTestServices() {
  const stops: (() => void)[] = []
  const stopAll = () => {
    for (const stop of stops.reverse()) {
      try {
        stop()
      } catch (error) {
        console.error('[test services] stopping a service failed:', error)
      }
    }
  }
  try {
    await startMissing(stops)
  } catch (error) {
    stopAll()
    throw error
  }
  return stopAll
}

async function startMissing(stops: (() => void)[]) {
  if (!process.env.REDIS_URL) {
    const port = await freePort()
    const dir = `/tmp/tusk-test-redis-${port}`
    console.log(`[test services] starting Redis on 127.0.0.1:${port} (scripts/redis-start.sh)`)
    run('redis-start.sh', [String(port), dir])
    loadEnvFile(`${dir}/redis.env`)
    stops.push(() => {
      run('redis-stop.sh', [String(port), dir])
      rmSync(dir, { recursive: true, force: true })
    })
  }
  if (!process.env.S3_ENDPOINT) {
    // Free ports, so a service someone already runs on the defaults is left alone.
    const port = await freePort()
    const monPort = await freePort()
    const osdBase = 47_000 + Math.floor(Math.random() * 100) * 100
    const dir = `/tmp/tusk-test-s3-${port}`
    console.log(
      `[test services] starting the S3 service on 127.0.0.1:${port} (scripts/s3-start.sh, Ceph RGW)`,
    )
    run('s3-start.sh', [dir], {
      S3_SERVICE_PORT: String(port),
      S3_SERVICE_MON_PORT: String(monPort),
      S3_SERVICE_OSD_PORTS: `${osdBase}-${osdBase + 99}`,
    })
    loadEnvFile(`${dir}/s3.env`)
    stops.push(() => run('s3-stop.sh', [dir, '--purge']))
  }
  if (!process.env.AZURE_BLOB_ENDPOINT) {
    const port = await freePort()
    const dir = `/tmp/tusk-test-azurite-${port}`
    console.log(`[test services] starting Azurite on 127.0.0.1:${port} (scripts/azurite-start.sh)`)
    run('azurite-start.sh', [String(port), dir])
    loadEnvFile(`${dir}/azurite.env`)
    stops.push(() => run('azurite-stop.sh', [String(port), dir, '--purge']))
  }
}
