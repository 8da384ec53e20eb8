import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { closeWhenDone } from './lifecycle.js'
import { freePort } from './ports.js'

/**
 * The built server, as `npm start` runs it (`npm test` builds first; run `npm run build` before
 * running these tests on their own). TUSK_FAULTS_MAIN points at another build (e.g. one made from a
 * clean checkout while the working tree is mid-change).
 */
export const mainScript =
  process.env.TUSK_FAULTS_MAIN ?? fileURLToPath(new URL('../server/dist/main.js', import.meta.url))

export interface TuskProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** The tus endpoint, e.g. http://127.0.0.1:40123/files */
  readonly url: string
  readonly origin: string
  readonly port: number
  /** Everything the process wrote so far (log lines included), for failure messages and assertions. */
  output(): string
  /** Sends `signal` (SIGTERM unless told) and waits for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
}

/**
 * Runs server/dist/main.js as a separate process (heap flag included, as `npm start` does) with
 * `args`, on a fixed free port (so a restart with `{ port }` is reachable at the same URL), and waits
 * for its "serving ... at URL" line. It and its cluster workers are killed after the current test
 * (or the describe/file, when started at its top level).
 */
export async function spawnTusk(
  args: string[],
  options: { port?: number; env?: NodeJS.ProcessEnv; startTimeoutMs?: number } = {},
): Promise<TuskProcess> {
  const port = options.port ?? (await freePort())
  const child = spawn(
    process.execPath,
    ['--initial-heap-size=64', mainScript, `--port=${port}`, '--host=127.0.0.1', ...args],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const exited = once(child, 'exit').then(() => {})
  const serving = new Promise<string>((resolve, reject) => {
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /serving tus uploads at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout?.on('data', onOutput)
    child.stderr?.on('data', onOutput)
    exited.then(() =>
      reject(new Error(`tusk exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`)),
    )
  })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      await exited
    }
    return child.exitCode
  }
  const workers: number[] = []
  closeWhenDone(async () => {
    workers.push(...childrenOf(child.pid as number))
    await stop('SIGKILL')
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
  })
  const limit = options.startTimeoutMs ?? 20_000
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tusk did not start within ${limit} ms:\n${output}`)), limit)
  })
  const url = await Promise.race([serving, timeout]).finally(() => clearTimeout(timer))
  return {
    child,
    pid: child.pid as number,
    url,
    origin: new URL(url).origin,
    port,
    output: () => output,
    exited,
    stop,
  }
}

/** The pids of a process's children (cluster workers), from ps. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => n > 0)
  } catch {
    return [] // ps exits 1 when there are none
  }
}
