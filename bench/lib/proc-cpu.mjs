import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let ticksPerSecond
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/**
 * CPU time (user + system, seconds) a process has used, from /proc/<pid>/stat. Unlike a rate, the
 * CPU a server spends per upload barely moves when other processes compete for the cores, so it is
 * the steadier figure on a shared machine (resolution: one clock tick, usually 10 ms).
 */
export function readCpuSeconds(pid) {
  return cpuSecondsOf(`/proc/${pid}/stat`)
}

/**
 * CPU time (seconds) of a process's main thread alone: in Node, the event loop (JavaScript, and the
 * syscalls it makes), without libuv's thread pool, V8's helper threads and worker threads.
 */
export function readMainThreadCpuSeconds(pid) {
  return cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`)
}

/**
 * CPU time of the whole machine from /proc/stat, in seconds: `busy` (every state but idle and
 * iowait) and `total`, summed over all cores. Busy time per upload counts everything an upload made
 * the machine do: the server, the load generator, a webhook receiver and the kernel between them.
 */
export function readMachineCpuSeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  const idle = ticks[3] + ticks[4]
  return { busy: (total - idle) / clockTicks(), total: total / clockTicks() }
}

function cpuSecondsOf(file) {
  const stat = readFileSync(file, 'utf8')
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / clockTicks()
}
