import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const plainScript = path.join(root, 'bench/servers/plain-tus.mjs')
const rawScript = path.join(root, 'bench/servers/raw-pipe.mjs')
const multerScript = path.join(root, 'bench/servers/express-multer.mjs')
// BENCH_TUSK_MAIN runs another build of Tusk (e.g. a patched copy) in place of server/dist/main.js.
const tuskScript = process.env.BENCH_TUSK_MAIN
  ? path.resolve(process.env.BENCH_TUSK_MAIN)
  : path.join(root, 'server/dist/main.js')

/**
 * A server under test: how to start it. Tusk runs as `npm start` runs it (the flag included, see
 * docs/benchmarks.md), logging at info level to a file: the logging is part of what users pay for.
 */
export const TUSK = {
  name: 'tusk',
  label: 'Tusk',
  nodeArgs: ['--initial-heap-size=64'],
  args: (port, dir) => [
    tuskScript,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dir,
    '--log-level',
    'info',
  ],
}

/** Plain @tus/server + FileStore on node:http with default node flags. */
export const PLAIN = {
  name: 'plain',
  label: 'plain @tus/server',
  nodeArgs: [],
  args: (port, dir) => [plainScript, '--port', String(port), '--dir', dir],
}

/** The floor: node:http piping each body to a file, no protocol (bench/servers/raw-pipe.mjs). */
export const RAW = {
  name: 'raw',
  label: 'raw pipe',
  nodeArgs: [],
  args: (port, dir) => [rawScript, '--port', String(port), '--dir', dir],
}

/** What apps use without resumability: express + multer, one multipart POST per file. */
export const MULTER = {
  name: 'multer',
  label: 'express+multer',
  nodeArgs: [],
  args: (port, dir) => [multerScript, '--port', String(port), '--dir', dir],
}

/** Variants for the GC investigation (bench/gc-trace.mjs). */
export function variant(base, { name, label, nodeArgs = base.nodeArgs, extraArgs = [] }) {
  return { name, label, nodeArgs, args: (port, dir) => [...base.args(port, dir), ...extraArgs] }
}

export async function freePort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Starts a contender as a fresh child process, its stdout and stderr going to logFile, and waits
 * until it answers OPTIONS /files. Returns { url, pid, stop(), exited }.
 */
export async function startContender(contender, { dataDir, logFile, extraNodeArgs = [] }) {
  mkdirSync(dataDir, { recursive: true })
  const port = await freePort()
  const log = openSync(logFile, 'a')
  const child = spawn(
    process.execPath,
    [...contender.nodeArgs, ...extraNodeArgs, ...contender.args(port, dataDir)],
    {
      stdio: ['ignore', log, log],
    },
  )
  closeSync(log)
  let exitCode
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal
      resolve(exitCode)
    }),
  )
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`${contender.label} exited (${exitCode}) at start; see ${logFile}`)
    try {
      const response = await fetch(`${origin}/files`, { method: 'OPTIONS' })
      await response.arrayBuffer()
      if (response.status === 204 || response.status === 200) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${contender.label} did not answer within 15 s; see ${logFile}`)
    }
    await sleep(50)
  }
  return {
    url: `${origin}/files`,
    origin,
    pid: child.pid,
    exited,
    get alive() {
      return exitCode === undefined
    },
    async stop() {
      if (exitCode !== undefined) return exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
      return exitCode
    },
  }
}
