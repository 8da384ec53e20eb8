import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeEach, expect, it, vi } from 'vitest'
import { createFileOutbox } from '../../src/hooks/outbox/file-outbox.js'
import { syncDirectory } from '../../src/hooks/outbox/sync-dir.js'
import type { DeliveryRecord } from '../../src/hooks/outbox/types.js'

// Power loss cannot be staged in a test; what can be seen is that every new segment's directory
// entry is fsync'ed (the real sync still runs: the spy only records the calls).
vi.mock('../../src/hooks/outbox/sync-dir.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/hooks/outbox/sync-dir.js')>()
  return { syncDirectory: vi.fn(real.syncDirectory) }
})

const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-file-outbox-sync-'))
const logDir = path.join(dataDir, '.hooks', 'log')
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
beforeEach(() => {
  vi.mocked(syncDirectory).mockClear()
})

const record = (n: number, body: string): DeliveryRecord => ({
  key: `msg_${n}-0`,
  eventId: `msg_${n}`,
  type: 'post-finish',
  url: 'http://127.0.0.1:9/hooks',
  body,
  attempts: 0,
  createdAt: Date.now(),
})

it('fsyncs the log directory when it creates a segment, on first use and on compaction', async () => {
  const outbox = createFileOutbox(dataDir, 60_000)
  try {
    await outbox.add([record(0, '{}')])
    expect(syncDirectory).toHaveBeenCalledTimes(1)
    expect(syncDirectory).toHaveBeenLastCalledWith(logDir)
    const first = readdirSync(logDir)

    // Past the segment's 4 MiB, it is compacted into a fresh segment.
    const body = JSON.stringify({ pad: 'x'.repeat(64 * 1024) })
    for (let n = 1; n <= 70; n++) await outbox.add([record(n, body)])
    expect(readdirSync(logDir)).not.toEqual(first)
    expect(syncDirectory).toHaveBeenCalledTimes(2)
    expect(syncDirectory).toHaveBeenLastCalledWith(logDir)
  } finally {
    await outbox.close()
  }
})
