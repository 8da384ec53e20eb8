import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

export const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

export interface TuskProcess {
  child: ChildProcess
  /** The tus endpoint, e.g. http://127.0.0.1:40123/files */
  url: string
  origin: string
  port: number
  /** Everything the process wrote, for failure messages. */
  output(): string
  /** SIGTERM (or the given signal) and wait for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Runs the built server (server/dist/main.js, as `npm start` does, heap flag included) with the given
 * flags and waits for its "serving ... at URL" line. `npm test` builds first; run `npx tsc -b`
 * before running these tests on their own.
 */
export async function spawnTusk(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TuskProcess> {
  const child = spawn(process.execPath, ['--initial-heap-size=64', mainScript, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tusk did not start within 15s:\n${output}`)), 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /serving tus uploads at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    exited.then(([code, signal]) => {
      clearTimeout(timer)
      reject(new Error(`tusk exited (${code ?? signal}) before serving:\n${output}`))
    })
  })
  const parsed = new URL(url)
  return {
    child,
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      const [code] = await exited
      return code
    },
  }
}
