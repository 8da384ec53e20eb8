import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../../test-support/ports.js'
import { until } from '../../../test-support/until.js'

// The example's nginx configuration (examples/multi-instance/nginx.conf.template) is the one under
// test: what the README recommends is what this suite proves.
const template = fileURLToPath(
  new URL('../../../examples/multi-instance/nginx.conf.template', import.meta.url),
)

export interface Nginx {
  /** Origin of the proxy, e.g. http://127.0.0.1:41234 */
  origin: string
  stop(): Promise<void>
}

/** Debian's nginx as a round-robin proxy on loopback in front of `upstreams` (host:port). */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const prefix = await mkdtemp(path.join(tmpdir(), 'tusk-nginx-'))
  await mkdir(path.join(prefix, 'logs'))
  const port = await freePort()
  const config = (await readFile(template, 'utf8'))
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{LISTEN}}', `127.0.0.1:${port}`)
    .replaceAll(
      '{{UPSTREAMS}}',
      upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=5s;`).join('\n'),
    )
  const file = path.join(prefix, 'nginx.conf')
  await writeFile(file, config)
  let child: ChildProcess
  try {
    child = spawn(
      'nginx',
      ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', file, '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
  } catch (error) {
    throw new Error(`nginx is required for the multi-instance test (apt-get install nginx-light): ${error}`)
  }
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = once(child, 'exit')
  child.once('error', () => {})
  await until(
    () => {
      if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}`)
      return new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end()
          resolve(true)
        })
        socket.on('error', () => resolve(false))
      })
    },
    5_000,
    `nginx listening on ${port}`,
  )
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT')
        await exited
      }
      await rm(prefix, { recursive: true, force: true })
    },
  }
}
