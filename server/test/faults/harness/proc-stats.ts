import { readdirSync, readFileSync } from 'node:fs'

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

/** Waits until `check` holds (polling), or fails after `ms` naming what was awaited. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  every = 50,
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, every))
  }
}
