import { readFileSync } from 'node:fs'

/**
 * Resident memory of a process from /proc/<pid>/status, in bytes: VmRSS (now) and VmHWM (the
 * kernel's high-water mark since the process started, so no peak between two samples is missed).
 */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => {
    const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))
    return match ? Number(match[1]) * 1024 : Number.NaN
  }
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}
