import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const scripts = fileURLToPath(new URL('../../../../scripts/', import.meta.url))

export interface PrivateS3 {
  /** Tusk's command-line flags for this service (bucket included). */
  readonly args: string[]
  /** The radosgw process (the S3 front end), to pause or kill. */
  gatewayPid(): number
  /** Starts whatever is not running (after a kill): s3-start.sh keeps a bluestore cluster's objects. */
  start(): Promise<void>
  /** Stops every daemon and deletes the directory. */
  dispose(): Promise<void>
}

/**
 * A Ceph S3 service of this test file's own (scripts/s3-start.sh), on ports and in a directory no
 * other service uses, so pausing or killing it disturbs nobody. bluestore: objects survive a kill.
 */
export async function startPrivateS3(options: { dir: string; port: number }): Promise<PrivateS3> {
  const { dir, port } = options
  const env = {
    ...process.env,
    S3_SERVICE_PORT: String(port),
    S3_SERVICE_MON_PORT: String(port + 9),
    S3_SERVICE_OSD_PORTS: `${port + 20}-${port + 119}`,
    S3_SERVICE_BACKEND: 'bluestore',
    S3_SERVICE_CAPACITY: String(4 * 2 ** 30),
  }
  const start = async () => {
    await run(`${scripts}s3-start.sh`, [dir], { env, timeout: 240_000 })
  }
  await start()
  const settings = Object.fromEntries(
    [...readFileSync(`${dir}/s3.env`, 'utf8').matchAll(/^export (S3_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
  )
  return {
    args: [
      '--store=s3',
      `--s3-endpoint=${settings.S3_ENDPOINT}`,
      `--s3-bucket=${settings.S3_BUCKET}`,
      '--s3-force-path-style=true',
      `--s3-access-key-id=${settings.S3_ACCESS_KEY}`,
      `--s3-secret-access-key=${settings.S3_SECRET_KEY}`,
    ],
    gatewayPid: () => Number(readFileSync(`${dir}/run/client.rgw.tusk.pid`, 'utf8').trim()),
    start,
    async dispose() {
      await run(`${scripts}s3-stop.sh`, [dir, '--purge'], { env, timeout: 120_000 }).catch(() => {})
    },
  }
}
