import { closeSync, mkdirSync, openSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

/**
 * Microseconds to create one empty file in `directory`. On this machine's ext4, creating a file
 * costs 25–40 µs normally but 200–900 µs for minutes after many files were deleted anywhere on the
 * filesystem (bench-notes); the small-upload figures are meaningless in that state, so the run
 * prints this probe before and after. The probe's files stay until the run directory is removed.
 */
export function fileCreationMicros(directory, count = 300) {
  mkdirSync(directory, { recursive: true })
  const started = performance.now()
  for (let i = 0; i < count; i++) closeSync(openSync(path.join(directory, `probe-${i}`), 'wx'))
  return ((performance.now() - started) * 1000) / count
}

export const SLOW_CREATION_MICROS = 150
