import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from '../../lockers/redis-connection.js'
import type { Claimed, DeliveryRecord, IsFinished, Outbox } from './types.js'

// The outbox shared by every instance of one deployment, in Redis (--redis-url):
//   {tusk:hooks}:stream    records due now, read through one consumer group: each record goes to
//                          one instance per attempt; one that dies mid-attempt leaves its entry
//                          pending, and another instance claims it (XAUTOCLAIM) after staleClaimMs
//   {tusk:hooks}:retry     records waiting for a later attempt, scored by when they are due; a Lua
//                          script moves due ones into the stream (atomically: once, by one instance)
//   {tusk:hooks}:dead      dead letters by key;  {tusk:hooks}:disabled  endpoints that answered 410
//   {tusk:hooks}:held      held records by key ({record, owner}): moved into the stream when released;
//                          {tusk:hooks}:alive:<owner> expires when an instance stops renewing it,
//                          and then any instance settles that owner's held records by asking the store
// The hash tag keeps every key in one slot, so the script also runs on a Redis Cluster.

const STREAM = '{tusk:hooks}:stream'
const RETRY = '{tusk:hooks}:retry'
const DEAD = '{tusk:hooks}:dead'
const DISABLED = '{tusk:hooks}:disabled'
const HELD = '{tusk:hooks}:held'
const ALIVE = '{tusk:hooks}:alive:'
const GROUP = 'tusk-hooks'

const MOVE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  redis.call('XADD', KEYS[2], '*', 'r', member)
end
return #due`

type StreamEntry = [id: string, fields: string[]]

/** Retries due are moved into the stream at most this often; claims of dead instances looked for. */
const MOVE_DUE_MS = 200
const AUTOCLAIM_MS = 1_000
/** How often an instance looks for held records of instances gone. */
const HELD_CHECK_MS = 2_000
/**
 * An instance holding records renews its liveness this often, on a timer of its own (not with the
 * deliveries, which a slow receiver may hold up); it is taken as gone ALIVE_TTL_MS after the last.
 * Taken as gone while alive (a pause longer than that), its held records are settled by another
 * instance from the store, and it still releases its own when their uploads finish: a duplicate at
 * worst, which at-least-once allows.
 */
const ALIVE_RENEW_MS = 5_000
const ALIVE_TTL_MS = 15_000
/**
 * How long an endpoint found enabled is taken as such from memory before Redis is asked again. Only
 * "enabled" is kept: `tusk-server hooks retry` clears a disabled flag in Redis and cannot reach the
 * memory of running servers, which would otherwise dead-letter the retried event again at once.
 */
const ENABLED_CACHE_MS = 1_000

/**
 * Commands queued in one turn of the event loop go to Redis in one pipeline (one round trip and one
 * write for the XADDs of every upload that finished meanwhile); each caller learns its own outcome.
 */
function coalescing(redis: RedisClient) {
  let queue: { add: (p: ChainableCommander) => void; resolve: () => void; reject: (e: Error) => void }[] = []
  const run = async () => {
    const batch = queue
    queue = []
    const pipeline = redis.pipeline()
    const counts = batch.map(({ add }) => {
      const before = pipeline.length
      add(pipeline)
      return pipeline.length - before
    })
    let results: [Error | null, unknown][]
    try {
      results = (await pipeline.exec()) ?? []
    } catch (error) {
      for (const { reject } of batch) reject(error as Error)
      return
    }
    let at = 0
    batch.forEach(({ resolve, reject }, i) => {
      const mine = results.slice(at, at + (counts[i] ?? 0))
      at += counts[i] ?? 0
      const failed = mine.find(([error]) => error)?.[0]
      if (failed) reject(failed)
      else resolve()
    })
  }
  return (add: (p: ChainableCommander) => void) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ add, resolve, reject })
      if (queue.length === 1) setImmediate(() => void run())
    })
}

/**
 * `isFinished` decides the held records of instances gone (without it they are left to an instance
 * that has it: a command that only lists or retries dead letters).
 */
export function createRedisOutbox(redis: RedisClient, staleClaimMs: number, isFinished?: IsFinished): Outbox {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`
  /** This instance's held records, to move into the stream when released. */
  const heldHere = new Map<string, string>()
  /** Releases (the record to add) and drops (null) that Redis did not take: sent again on a later look. */
  const unsent = new Map<string, string | null>()
  const sendSettled = (settled: ReadonlyArray<readonly [string, string | null]>) =>
    send((p) => {
      for (const [key, json] of settled) {
        if (json !== null) p.xadd(STREAM, '*', 'r', json)
        p.hdel(HELD, key)
      }
    }).catch(() => {
      for (const [key, json] of settled) unsent.set(key, json)
    })
  let lastHeldCheck = 0
  let renewing: NodeJS.Timeout | undefined
  const renewAlive = (p: ChainableCommander) => p.set(`${ALIVE}${consumer}`, '1', 'PX', ALIVE_TTL_MS)
  const keepAlive = () => {
    renewing ??= setInterval(() => {
      void renewAlive(redis.pipeline())
        .exec()
        .catch(() => {})
    }, ALIVE_RENEW_MS).unref()
  }
  let groupReady: Promise<void> | undefined
  const ensureGroup = () =>
    (groupReady ??= redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM').then(
      () => {},
      (error: Error) => {
        if (!/BUSYGROUP/.test(error.message)) {
          groupReady = undefined
          throw error
        }
      },
    ))
  const parse = ([id, fields]: StreamEntry): Claimed | undefined => {
    const index = fields.indexOf('r')
    const json = index >= 0 ? fields[index + 1] : undefined
    if (json === undefined) return undefined
    return { record: JSON.parse(json) as DeliveryRecord, handle: id }
  }
  const send = coalescing(redis)
  let lastMove = 0
  let lastAutoclaim = 0
  /** Endpoints found enabled, and when. */
  const enabledAt = new Map<string, number>()
  /**
   * Settles the held records of instances gone: the request that
   * held each may have stored the upload's last bytes before the end, so the store decides. The
   * instance whose HDEL removes an entry settles it (two looking at once do not both deliver).
   */
  async function settleHeld() {
    if (unsent.size > 0) {
      const retry = [...unsent]
      unsent.clear()
      await sendSettled(retry)
    }
    if (!isFinished) return
    const held = Object.entries(await redis.hgetall(HELD))
    if (held.length === 0) return
    const entries = held.map(([key, value]) => ({
      key,
      ...(JSON.parse(value) as { record: string; owner: string }),
    }))
    const owners = [...new Set(entries.map((e) => e.owner))]
    const alive = await redis.mget(...owners.map((owner) => `${ALIVE}${owner}`))
    const gone = new Set(owners.filter((_, i) => alive[i] === null))
    for (const { key, record: json, owner } of entries) {
      if (!gone.has(owner)) continue
      const { heldFor, ...record } = JSON.parse(json) as DeliveryRecord
      if (heldFor === undefined) continue
      let finished: boolean
      try {
        finished = await isFinished(heldFor)
      } catch {
        continue // the store cannot tell now: asked again on a later look
      }
      if ((await redis.hdel(HELD, key)) === 0) continue
      if (finished) await redis.xadd(STREAM, '*', 'r', JSON.stringify(record))
    }
  }

  const done = (p: ChainableCommander, claimed: Claimed) =>
    p.xack(STREAM, GROUP, claimed.handle).xdel(STREAM, claimed.handle)

  return {
    kind: 'redis',
    async add(records) {
      await ensureGroup()
      await send((p) => {
        for (const record of records) {
          const json = JSON.stringify(record)
          if (record.heldFor === undefined) {
            p.xadd(STREAM, '*', 'r', json)
            continue
          }
          heldHere.set(record.key, json)
          keepAlive()
          renewAlive(p).hset(HELD, record.key, JSON.stringify({ record: json, owner: consumer }))
        }
      }).catch((error: unknown) => {
        for (const record of records) heldHere.delete(record.key)
        throw error
      })
    },
    async release(keys) {
      const moving = keys.flatMap((key) => {
        const json = heldHere.get(key)
        heldHere.delete(key)
        if (json === undefined) return []
        const { heldFor: _, ...record } = JSON.parse(json) as DeliveryRecord
        return [[key, JSON.stringify(record)] as const]
      })
      if (moving.length > 0) await sendSettled(moving)
    },
    drop(keys) {
      const dropping = keys.filter((key) => heldHere.delete(key)).map((key) => [key, null] as const)
      if (dropping.length > 0) void sendSettled(dropping)
    },
    async claimDue(limit) {
      await ensureGroup()
      const now = Date.now()
      if (now - lastMove >= MOVE_DUE_MS) {
        lastMove = now
        await redis.eval(MOVE_DUE, 2, RETRY, STREAM, String(now))
      }
      if (now - lastHeldCheck >= HELD_CHECK_MS) {
        lastHeldCheck = now
        await settleHeld()
      }
      const claimed: Claimed[] = []
      // Entries another instance claimed and never finished (it died): taken over after staleClaimMs.
      if (now - lastAutoclaim >= AUTOCLAIM_MS) {
        lastAutoclaim = now
        const stale = (await redis.xautoclaim(
          STREAM,
          GROUP,
          consumer,
          staleClaimMs,
          '0-0',
          'COUNT',
          limit,
        )) as [string, StreamEntry[]]
        for (const entry of stale[1] ?? []) {
          const c = entry?.[1] ? parse(entry) : undefined
          if (c) claimed.push(c)
        }
        // A full page: there may be more to take over on the next call.
        if ((stale[1]?.length ?? 0) >= limit) lastAutoclaim = 0
      }
      if (claimed.length < limit) {
        const fresh = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          limit - claimed.length,
          'STREAMS',
          STREAM,
          '>',
        )) as [string, StreamEntry[]][] | null
        for (const entry of fresh?.[0]?.[1] ?? []) {
          const c = parse(entry)
          if (c) claimed.push(c)
        }
      }
      return claimed
    },
    async complete(claimed) {
      await send((p) => done(p, claimed))
    },
    async reschedule(claimed, dueAt, error) {
      const record: DeliveryRecord = {
        ...claimed.record,
        attempts: claimed.record.attempts + 1,
        lastError: error,
      }
      // Kept for its retry before it is acknowledged: a connection lost in between only repeats an attempt.
      await send((p) => done(p.zadd(RETRY, dueAt, JSON.stringify(record)), claimed))
    },
    async deadLetter(claimed, error) {
      const record: DeliveryRecord = {
        ...claimed.record,
        attempts: claimed.record.attempts + 1,
        lastError: error,
      }
      await send((p) => done(p.hset(DEAD, record.key, JSON.stringify(record)), claimed))
    },
    async counts() {
      const [stream, retry, dead, held] = await Promise.all([
        redis.xlen(STREAM),
        redis.zcard(RETRY),
        redis.hlen(DEAD),
        redis.hlen(HELD),
      ])
      return { pending: stream + retry + held, dead }
    },
    async deadLetters() {
      const all = await redis.hgetall(DEAD)
      return Object.values(all)
        .map((json) => JSON.parse(json) as DeliveryRecord)
        .sort((a, b) => a.createdAt - b.createdAt)
    },
    async retryDead(keys) {
      const wanted = keys && keys.length > 0 ? new Set(keys) : undefined
      let count = 0
      for (const record of await this.deadLetters()) {
        if (wanted && !wanted.has(record.key) && !wanted.has(record.eventId)) continue
        // Removed first: if two operators retry at once, only the one whose HDEL counted re-adds it.
        if ((await redis.hdel(DEAD, record.key)) === 0) continue
        await redis
          .multi()
          .srem(DISABLED, record.url)
          .xadd(STREAM, '*', 'r', JSON.stringify({ ...record, attempts: 0 }))
          .exec()
        count++
      }
      return count
    },
    async disable(url) {
      await redis.sadd(DISABLED, url)
      enabledAt.delete(url)
    },
    async isDisabled(url) {
      const at = enabledAt.get(url)
      if (at !== undefined && Date.now() - at < ENABLED_CACHE_MS) return false
      const disabled = (await redis.sismember(DISABLED, url)) === 1
      if (disabled) enabledAt.delete(url)
      else enabledAt.set(url, Date.now())
      return disabled
    },
    async close() {
      clearInterval(renewing)
      await redis.quit().catch(() => {})
    },
  }
}
