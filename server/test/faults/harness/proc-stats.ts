import { readdirSync, readFileSync } from 'node:fs'
import { until } from '../../../../test-support/until.js'

/** Resident memory of a process in bytes (VmRSS from /proc). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** Open file descriptors of a process (entries of /proc/PID/fd). */
export function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

export const MiB = 2 ** 20
export const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10

/** Waits until `check` holds (the test kit's until()), and returns how long that took in ms. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  every = 50,
): Promise<number> {
  const started = Date.now()
  await until(check, ms, what, { intervalMs: every })
  return Date.now() - started
}
