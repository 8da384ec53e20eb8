import { type ChildProcess, execFile, spawn } from 'node:child_process'
import net from 'node:net'
import { promisify } from 'node:util'

// Helpers for the tests that run Tusk as a user would: from an installed package or the image's
// runtime stage, as a child process, talked to over real sockets.

const execFileAsync = promisify(execFile)

/** Runs a command to completion; rejects with its output when it fails. */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 240_000,
      maxBuffer: 64 * 2 ** 20,
      encoding: 'utf8',
    })
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}

export interface RunningServer {
  readonly child: ChildProcess
  /** The tus endpoint the server printed, e.g. http://127.0.0.1:41234/files */
  readonly url: string
  readonly origin: string
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>
  output(): string
}

/** Spawns a Tusk server command and resolves once it prints the URL it serves. */
export function startServerProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<RunningServer> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
  })
  child.stderr.on('data', (d) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start within 30 s:\n${out}`))
    }, 30_000)
    const onData = () => {
      const match = /serving tus uploads at (\S+)/.exec(out)
      if (!match?.[1]) return
      clearTimeout(timer)
      child.stdout.off('data', onData)
      const url = match[1]
      resolve({ child, url, origin: new URL(url).origin, exited, output: () => out })
    }
    child.stdout.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before serving:\n${out}`))
    })
  })
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Creates an upload of `length` bytes; returns its absolute URL. */
export async function createUpload(endpoint: string, length: number): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(length) },
  })
  const location = res.headers.get('location')
  if (res.status !== 201 || !location) throw new Error(`creation answered ${res.status}`)
  return new URL(location, endpoint).toString()
}

/**
 * A PATCH over a raw socket that sends the first `first` bytes of `body` now and the rest on
 * `finish()`: an upload in flight while the server is told to stop.
 */
export function slowPatch(uploadUrl: string, body: Buffer, first: number) {
  const target = new URL(uploadUrl)
  let response = ''
  const socket = net.connect(Number(target.port), target.hostname)
  socket.on('data', (d) => {
    response += d
  })
  socket.on('error', () => {})
  socket.write(
    `PATCH ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n` +
      `Content-Type: application/offset+octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`,
  )
  socket.write(body.subarray(0, first))
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  return { finish: () => socket.write(body.subarray(first)), response: () => response, closed }
}
