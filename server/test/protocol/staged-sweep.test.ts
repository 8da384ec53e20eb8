import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { startTusk } from '../../../test-support/tusk.js'

// A process killed while it verified a checksummed chunk leaves the chunk staged (it never counted).
describe('staged chunks left by a crash', () => {
  it("are removed at start-up when older than an hour; a fresh one (a running sibling's) stays", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tusk-sweep-'))
    try {
      const staging = path.join(dataDir, '.tmp')
      await mkdir(staging, { recursive: true })
      const stale = path.join(staging, 'left-by-a-crash.chunk')
      const fresh = path.join(staging, 'in-use.chunk')
      await writeFile(stale, 'x')
      await writeFile(fresh, 'y')
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000)
      await utimes(stale, twoHoursAgo, twoHoursAgo)
      const tusk = await startTusk({ dataDir })
      expect(existsSync(stale)).toBe(false)
      expect(existsSync(fresh)).toBe(true)
      await tusk.close()
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
