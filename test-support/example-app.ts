import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeWhenDone } from './lifecycle.js'
import { freePort } from './ports.js'

export interface ExampleApp {
  /** Where the app listens, e.g. http://127.0.0.1:40123 */
  readonly origin: string
  /** Everything the process wrote so far, for failure messages and assertions. */
  output(): string
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>
}

/**
 * Runs an example's script as `npm start` does (`node <script>` in the example's directory) on a
 * free port (PORT) with `env`, and waits for the "listening on http://..." line it prints. The
 * process is killed after the current test (or the describe/file, when started at collection time).
 */
export async function startExampleApp(
  directory: string,
  script: string,
  env: NodeJS.ProcessEnv = {},
  startTimeoutMs = 20_000,
): Promise<ExampleApp> {
  const port = await freePort()
  const child = spawn(process.execPath, [script], {
    cwd: directory,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = once(child, 'exit').then(() => {})
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    return child.exitCode
  }
  closeWhenDone(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${startTimeoutMs} ms:\n${output}`)),
      startTimeoutMs,
    )
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onOutput)
    child.stderr.on('data', onOutput)
    exited.then(() => {
      clearTimeout(timer)
      reject(
        new Error(`${script} exited (${child.exitCode ?? child.signalCode}) before listening:\n${output}`),
      )
    })
  })
  return { origin, output: () => output, stop }
}
