import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { createFileOutbox } from '../../src/hooks/outbox/file-outbox.js'
import type { DeliveryRecord, Outbox } from '../../src/hooks/outbox/types.js'

const dirs: string[] = []
const opened: Outbox[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const outbox of opened.splice(0)) await outbox.close()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const open = (dataDir: string) => {
  const outbox = createFileOutbox(dataDir, 60_000)
  opened.push(outbox)
  return outbox
}
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tusk-file-outbox-'))
  dirs.push(dir)
  return dir
}
const record = (n: number, body = `{"n":${n}}`): DeliveryRecord => ({
  key: `msg_${n}-0`,
  eventId: `msg_${n}`,
  type: 'post-finish',
  url: 'http://127.0.0.1:9/hooks',
  body,
  attempts: 0,
  createdAt: Date.now(),
})
const logFiles = (dataDir: string) => readdirSync(path.join(dataDir, '.hooks', 'log'))

describe('the file outbox (an append-only segment per process)', () => {
  it('claims a record added while a claim was reading the directory (none is dropped)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 })
    const outbox = open(tempDir())
    const claiming = outbox.claimDue(10) // its first look scans the directory (awaits)
    vi.setSystemTime(1_000_050) // the record is added later than the claim began
    await outbox.add([record(1)])
    const first = await claiming
    const second = await outbox.claimDue(10)
    expect([...first, ...second].map((c) => c.record.eventId)).toEqual(['msg_1'])
  })

  it('concurrent adds share one segment; what was not delivered is taken over by a later outbox with the same ids', async () => {
    const dataDir = tempDir()
    const first = open(dataDir)
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.add([record(i)])))
    expect(logFiles(dataDir)).toHaveLength(1)
    const claimed = await first.claimDue(100)
    expect(claimed).toHaveLength(50)
    for (const c of claimed.slice(0, 20)) await first.complete(c)
    await first.reschedule(claimed[20] as (typeof claimed)[number], Date.now() + 60_000, 'answered 500')
    await first.close() // 30 undelivered: the segment stays, and its owner is gone

    const second = open(dataDir)
    expect((await second.counts()).pending).toBe(30)
    const taken = await second.claimDue(100)
    expect(taken.map((c) => c.record.eventId).sort()).toEqual(
      claimed
        .slice(21)
        .map((c) => c.record.eventId)
        .sort(),
    )
    expect((await second.counts()).pending).toBe(30) // 29 due now + the one waiting for its retry
    for (const c of taken) await second.complete(c)
    await second.close()
    expect(logFiles(dataDir)).toHaveLength(1) // the retry waits in the second outbox's segment
    const third = open(dataDir)
    expect((await third.counts()).pending).toBe(1)
  })

  it('a done line waits for the next add to share its write, and is written within ~100 ms without one', async () => {
    const dataDir = tempDir()
    const outbox = open(dataDir)
    await outbox.add([record(1), record(2)])
    const [first, second] = await outbox.claimDue(10)
    const onDisk = async () => (await open(dataDir).counts()).pending // reads the first outbox's segment
    await outbox.complete(first as NonNullable<typeof first>)
    expect(await onDisk()).toBe(2) // not written yet: no write of its own
    await outbox.add([record(3)]) // this write takes the done line along
    expect(await onDisk()).toBe(2) // records 2 and 3
    await outbox.complete(second as NonNullable<typeof second>)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await onDisk()).toBe(1) // written by the timer, with no add to ride along
  })

  it("another host's segment is left alone while its owner keeps it fresh, and taken over once stale", async () => {
    const dataDir = tempDir()
    open(dataDir) // creates the directories
    // Containers sharing a volume may run as the same pid: the host name tells them apart.
    const foreign = path.join(dataDir, '.hooks', 'log', `another-host~${process.pid}~abcdef~0.log`)
    writeFileSync(foreign, `${JSON.stringify({ a: record(1) })}\n`)
    expect(await open(dataDir).claimDue(10)).toEqual([])
    const longAgo = new Date(Date.now() - 120_000)
    utimesSync(foreign, longAgo, longAgo)
    expect((await open(dataDir).claimDue(10)).map((c) => c.record.eventId)).toEqual(['msg_1'])
  })

  it('events left in the earlier file-per-event format (pending/, claimed/) are taken over after an upgrade', async () => {
    const dataDir = tempDir()
    const hooks = path.join(dataDir, '.hooks')
    mkdirSync(path.join(hooks, 'pending'), { recursive: true })
    mkdirSync(path.join(hooks, 'claimed'), { recursive: true })
    writeFileSync(
      path.join(hooks, 'pending', `000001700000000~${record(1).key}.json`),
      JSON.stringify(record(1)),
    )
    const claimed = path.join(hooks, 'claimed', `1700000000000~99999~000001700000000~${record(2).key}.json`)
    writeFileSync(claimed, JSON.stringify(record(2)))
    const longAgo = new Date(Date.now() - 120_000)
    utimesSync(claimed, longAgo, longAgo) // its process (of that version) is long gone
    const outbox = open(dataDir)
    expect((await outbox.claimDue(10)).map((c) => c.record.eventId).sort()).toEqual(['msg_1', 'msg_2'])
    expect(readdirSync(path.join(hooks, 'pending'))).toEqual([])
    expect(readdirSync(path.join(hooks, 'claimed'))).toEqual([])
    await outbox.close()
    // Now in this outbox's segment: still there for the next process until delivered.
    expect((await open(dataDir).counts()).pending).toBe(2)
  })

  it('a segment past its size limit is compacted to the records not yet delivered', async () => {
    const dataDir = tempDir()
    const outbox = open(dataDir)
    const body = JSON.stringify({ pad: 'x'.repeat(1000) })
    // Six rounds of 1,000 events of ~1.1 KB (6.6 MB written); one of each round stays undelivered.
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => outbox.add([record(round * 1000 + i, body)])))
      const claimed = await outbox.claimDue(1000)
      for (const c of claimed.slice(1)) await outbox.complete(c)
    }
    await outbox.add([record(99_999)]) // a last write, after the done lines
    const [segment] = logFiles(dataDir)
    expect(logFiles(dataDir)).toHaveLength(1)
    expect(statSync(path.join(dataDir, '.hooks', 'log', segment as string)).size).toBeLessThan(
      4 * 1024 * 1024,
    )
    await outbox.close()
    const later = open(dataDir)
    expect((await later.claimDue(100)).map((c) => c.record.eventId).sort()).toEqual(
      ['msg_0', 'msg_1000', 'msg_2000', 'msg_3000', 'msg_4000', 'msg_5000', 'msg_99999'].sort(),
    )
  })
})
