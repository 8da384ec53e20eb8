import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../lockers/redis-service.js'

/**
 * The built server, as `npm start` runs it (build first: `npm run build`). TUSK_FAULTS_MAIN points the
 * suite at another build (e.g. one made from a clean checkout while the working tree is mid-change).
 */
export const mainScript =
  process.env.TUSK_FAULTS_MAIN ?? fileURLToPath(new URL('../../../dist/main.js', import.meta.url))

export interface TuskProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** The tus endpoint, e.g. http://127.0.0.1:40123/files */
  readonly url: string
  readonly port: number
  /** Everything the process wrote so far (log lines included), for failure messages and assertions. */
  output(): string
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
}

/**
 * Starts server/dist/main.js as a separate process with `args` (always on a fixed free port, so a
 * restart with the same args is reachable at the same URL) and waits for its "serving ... at URL"
 * line. Log lines go to its stdout/stderr and are kept in output().
 */
export async function startTusk(
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
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const limit = options.startTimeoutMs ?? 20_000
    const timer = setTimeout(
      () => reject(new Error(`tusk did not start within ${limit} ms:\n${output}`)),
      limit,
    )
    const poll = setInterval(() => {
      const match = /serving tus uploads at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearInterval(poll)
        clearTimeout(timer)
        resolve(match[1])
      }
    }, 20)
    exited.then(() => {
      clearInterval(poll)
      clearTimeout(timer)
      reject(new Error(`tusk exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`))
    })
  })
  return {
    child,
    pid: child.pid as number,
    url,
    port,
    output: () => output,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(signal)
      await exited
    },
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

/** Kills a process tree (the supervisor and its workers) with SIGKILL; for afterAll. */
export async function killTree(tusk: TuskProcess | undefined): Promise<void> {
  if (!tusk) return
  const workers = childrenOf(tusk.pid)
  await tusk.kill('SIGKILL')
  for (const pid of workers) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
}
