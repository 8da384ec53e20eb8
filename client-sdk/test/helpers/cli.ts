import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../bin/tusk.js', import.meta.url))

export interface CliRun {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exit: Promise<number | null>
}

/** Starts `tusk …` (the built CLI, as `npx tusk` runs it) with its own state directory. */
export function startCli(args: string[], stateHome: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, XDG_STATE_HOME: stateHome, TUSK_STATE_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk
  })
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, stdout: () => out, stderr: () => err, exit }
}

export async function runCli(
  args: string[],
  stateHome: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, stateHome, env)
  const code = await run.exit
  return { code, stdout: run.stdout(), stderr: run.stderr() }
}

/** The upload URLs the CLI has recorded in its state file (empty until the first one exists). */
export async function recordedUrls(stateHome: string): Promise<string[]> {
  const text = await readFile(join(stateHome, 'tusk', 'uploads.json'), 'utf8').catch(() => '{}')
  const entries = Object.values(JSON.parse(text || '{}')) as Array<{ uploadUrl: string | null }>
  return entries.map((entry) => entry.uploadUrl).filter((url): url is string => Boolean(url))
}
