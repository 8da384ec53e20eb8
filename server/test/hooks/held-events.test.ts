import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFileOutbox } from '../../src/hooks/outbox/file-outbox.js'
import { createRedisOutbox } from '../../src/hooks/outbox/redis-outbox.js'
import type { DeliveryRecord, IsFinished, Outbox } from '../../src/hooks/outbox/types.js'

// Held records: a post-finish event written before a request stores what may be an upload's last
// bytes, delivered only once released, dropped if the upload does not finish, and settled by asking
// the store when the process that held it died.

const opened: Outbox[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close()
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const held = (n: number, uploadId = `upload-${n}`): DeliveryRecord => ({
  key: `msg_held${n}-0`,
  eventId: `msg_held${n}`,
  type: 'post-finish',
  url: 'http://127.0.0.1:9/hooks',
  body: `{"n":${n}}`,
  attempts: 0,
  createdAt: Date.now(),
  heldFor: uploadId,
})
const finishedOnly =
  (...ids: string[]): IsFinished =>
  async (id) =>
    ids.includes(id)
const keysOf = (claimed: { record: DeliveryRecord }[]) => claimed.map((c) => c.record.key).sort()

/** What a backend must do, written once for the file and the Redis outbox. */
function heldContract(
  name: string,
  make: (isFinished?: IsFinished) => Outbox,
  die: (outbox: Outbox) => Promise<void>,
) {
  describe(`held post-finish events in the ${name} outbox`, () => {
    const open = (isFinished?: IsFinished) => {
      const outbox = make(isFinished)
      opened.push(outbox)
      return outbox
    }

    it('a held record is not delivered until released, and a dropped one never is', async () => {
      const outbox = open(finishedOnly())
      await outbox.add([held(1), held(2)])
      expect(await outbox.claimDue(10)).toEqual([])
      await outbox.release([held(1).key])
      outbox.drop([held(2).key])
      const claimed = await outbox.claimDue(10)
      expect(keysOf(claimed)).toEqual([held(1).key])
      // Released, it is delivered as any record: without its hold.
      expect(claimed[0]?.record.heldFor).toBeUndefined()
      expect(claimed[0]?.record.body).toBe('{"n":1}')
      await outbox.complete(claimed[0] as (typeof claimed)[number])
      expect(await outbox.claimDue(10)).toEqual([])
    })

    it('the held records of a process that died are delivered when the store says their upload is complete, dropped otherwise', async () => {
      const dying = open()
      await dying.add([held(3, 'complete-upload'), held(4, 'cut-upload')])
      await die(dying)
      const survivor = open(finishedOnly('complete-upload'))
      const claimed = await collect(survivor)
      expect(keysOf(claimed)).toEqual([held(3).key])
      expect((await survivor.counts()).pending).toBe(1) // delivered below; the dropped one is gone
      await survivor.complete(claimed[0] as (typeof claimed)[number])
      expect((await survivor.counts()).pending).toBe(0)
    })

    it('a held record whose upload the store cannot tell about now is asked about again later', async () => {
      const dying = open()
      await dying.add([held(5, 'slow-store')])
      await die(dying)
      let storeDown = true
      const survivor = open(async (id) => {
        if (storeDown) throw new Error('store unreachable')
        return id === 'slow-store'
      })
      expect(await survivor.claimDue(10)).toEqual([])
      storeDown = false
      expect(keysOf(await collect(survivor))).toEqual([held(5).key])
    })
  })
}

/** Claims until something comes (a backend looks for other processes' records every second or two). */
async function collect(outbox: Outbox, ms = 8_000) {
  const started = Date.now()
  while (Date.now() - started < ms) {
    const claimed = await outbox.claimDue(10)
    if (claimed.length > 0) return claimed
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return []
}

const fileDir = mkdtempSync(path.join(tmpdir(), 'tusk-held-'))
dirs.push(fileDir)
heldContract(
  'file',
  (isFinished) => createFileOutbox(fileDir, 60_000, isFinished),
  // Closed with records left, its segment stays and belongs to nobody alive (as after a SIGKILL).
  async (outbox) => {
    await outbox.close()
    opened.splice(opened.indexOf(outbox), 1)
  },
)

// A database of its own on the shared test Redis, emptied first.
const REDIS_URL = `${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d*$/, '')}/13`
const admin = new Redis(REDIS_URL, { lazyConnect: true })
beforeAll(async () => {
  await admin.connect()
  await admin.flushdb()
})
afterAll(async () => {
  await admin.quit()
})
heldContract(
  'Redis',
  (isFinished) => createRedisOutbox(new Redis(REDIS_URL), 60_000, isFinished),
  // Gone: it stops renewing its liveness, and the key expires (here at once).
  async (outbox) => {
    await outbox.close()
    opened.splice(opened.indexOf(outbox), 1)
    const alive = await admin.keys('{tusk:hooks}:alive:*')
    if (alive.length > 0) await admin.del(...alive)
  },
)
