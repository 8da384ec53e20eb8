import { createHash, randomBytes } from 'node:crypto'
import { constants, mkdirSync, readdirSync } from 'node:fs'
import {
  type FileHandle,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { syncDirectory } from './sync-dir.js'
import type { Claimed, DeliveryRecord, IsFinished, Outbox } from './types.js'

// The outbox of a single machine, in the data directory (".hooks" can never be an upload id):
//   log/<host>~<pid>~<token>~<n>.log  each process's append-only segment: one JSON line per change
//                              ({"a":record} added, {"r":key,...} retry scheduled, {"d":key} done or
//                              dropped, {"u":key} a held record released)
//   log/+handoff~<random>.log  a hand-off: dead letters `tusk-server hooks retry` put back, for any
//                              running server to take
//   dead/<key>.json            given up after the last retry
//   disabled/<hash of url>     endpoints that answered 410
// A process delivers from memory what it added; its segment is only read back for recovery. `add`
// resolves once its line is written and on disk (O_DSYNC: the write returns when the data is, one
// thread-pool round trip instead of a write and an fdatasync), and the lines of every event added
// meanwhile share that one write (group commit): a finished upload's answer waits about one sync,
// and costs a fraction of one, instead of creating, writing and renaming a file per event. Done and
// retry lines need no sync (if lost, the event is only attempted again: at least once), so they do
// not get a write of their own: they ride along with the next add's, or go DEFERRED_MS later.
// Segments of a process that died (SIGKILL, OOM, power loss) are taken over by a live one (rename
// = take-over: one process wins, even across cluster workers sharing the directory), which delivers
// what they hold. A segment past SEGMENT_BYTES (and twice its last compaction) is compacted: the
// records still undelivered are written to a fresh segment, which replaces it.

const SEGMENT_BYTES = 4 * 1024 * 1024
/** How often the directory is looked at for segments to take over and endpoints (re-)enabled. */
const SCAN_MS = 1_000
/** How often a process shows, by its active segment's mtime, that it is alive. */
const HEARTBEAT_MS = 2_000
/** How long done and retry lines wait for an add's write to share before they get their own. */
const DEFERRED_MS = 100
/** Where the platform has it (Linux, macOS), a segment's writes are synchronous: no fdatasync. */
const O_DSYNC: number | undefined = constants.O_DSYNC
const SEGMENT_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (O_DSYNC ?? 0)

/** Outboxes of this process that own a segment (same pid, other instance: alive iff listed). */
const liveTokens = new Set<string>()

const urlHash = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 32)

interface Entry {
  record: DeliveryRecord
  dueAt: number
  claimed: boolean
}

type Line =
  | { readonly a: DeliveryRecord; readonly t?: number }
  | { readonly r: string; readonly n: number; readonly t: number; readonly e: string }
  | { readonly d: string }
  | { readonly u: string }

/** The records a segment still holds: its lines applied in order (a torn last line is ignored). */
function replay(text: string, into = new Map<string, { record: DeliveryRecord; dueAt: number }>()) {
  for (const raw of text.split('\n')) {
    if (raw.length === 0) continue
    let line: Line
    try {
      line = JSON.parse(raw) as Line
    } catch {
      continue // torn by a crash mid-write: its add was never acknowledged
    }
    if ('a' in line) into.set(line.a.key, { record: line.a, dueAt: line.t ?? line.a.createdAt })
    else if ('d' in line) into.delete(line.d)
    else if ('u' in line) {
      const entry = into.get(line.u)
      if (entry) entry.record = released(entry.record)
    } else if ('r' in line) {
      const entry = into.get(line.r)
      if (entry) {
        entry.record = { ...entry.record, attempts: line.n, lastError: line.e }
        entry.dueAt = line.t
      }
    }
  }
  return into
}

/** The record without its hold. */
function released(record: DeliveryRecord): DeliveryRecord {
  const { heldFor: _, ...rest } = record
  return rest
}

const addLine = (record: DeliveryRecord, dueAt?: number) =>
  `${JSON.stringify(dueAt === undefined ? { a: record } : { a: record, t: dueAt })}\n`

/**
 * `isFinished` decides the held records of processes that died (without it they stay held: a
 * command that only lists or retries dead letters never takes segments over).
 */
export function createFileOutbox(dataDir: string, staleClaimMs: number, isFinished?: IsFinished): Outbox {
  const root = path.join(path.resolve(dataDir), '.hooks')
  const dirs = {
    log: path.join(root, 'log'),
    dead: path.join(root, 'dead'),
    disabled: path.join(root, 'disabled'),
    tmp: path.join(root, 'tmp'),
  }
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  const token = randomBytes(6).toString('hex')
  // The host name too: containers sharing a volume may all run as pid 1.
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_')
  const ownPrefix = `${host}~${process.pid}~${token}~`

  const live = new Map<string, Entry>()
  /** Keys due now, oldest first (a key may be stale: checked when taken). */
  let ready: string[] = []
  let readyHead = 0
  /** Keys waiting for a later attempt, and the earliest time one of them is due. */
  let waiting: string[] = []
  let nextDue = Number.POSITIVE_INFINITY
  /** Held records taken over from a dead process, to settle by asking the store. */
  const unsettled = new Set<string>()

  let disabled = new Set(readdirSync(dirs.disabled))
  let disabledChanges = 0
  let lastScan = 0
  let migrated = false
  let lastBeat = 0

  // The active segment and its group commit.
  let segment: { fh: FileHandle; file: string; bytes: number; snapshot: number } | undefined
  let segmentNumber = 0
  let queued: string[] = []
  let waiters: { resolve: () => void; reject: (error: Error) => void }[] = []
  let flushing: Promise<void> | undefined
  let deferred: NodeJS.Timeout | undefined
  /** A line queued that must not wait for DEFERRED_MS (a dead letter's: `hooks list` shows it). */
  let prompt = false
  let closed = false

  const openSegment = async () => {
    const file = path.join(dirs.log, `${ownPrefix}${segmentNumber++}.log`)
    const fh = await open(file, SEGMENT_FLAGS)
    // The new segment's name is durable too, before an add is acknowledged from it (first use) or
    // the segment it replaces is removed (compaction): rare, so one directory fsync each is cheap.
    await syncDirectory(dirs.log)
    liveTokens.add(token)
    return { fh, file, bytes: 0, snapshot: 0 }
  }

  const writeAll = async (fh: FileHandle, buffer: Buffer) => {
    let offset = 0
    while (offset < buffer.length) {
      const { bytesWritten } = await fh.write(buffer, offset, buffer.length - offset)
      offset += bytesWritten
    }
  }

  /** Writes what was queued meanwhile in one (synchronous) write. */
  async function flush() {
    clearTimeout(deferred)
    deferred = undefined
    while (queued.length > 0) {
      const lines = queued
      const batch = waiters
      queued = []
      waiters = []
      prompt = false
      try {
        segment ??= await openSegment()
        const buffer = Buffer.from(lines.join(''))
        await writeAll(segment.fh, buffer)
        if (O_DSYNC === undefined) await segment.fh.datasync()
        segment.bytes += buffer.length
        for (const waiter of batch) waiter.resolve()
        // Twice the last snapshot at least: many undelivered records are not rewritten on every write.
        if (segment.bytes > Math.max(SEGMENT_BYTES, 2 * segment.snapshot)) await compact()
      } catch (error) {
        for (const waiter of batch) waiter.reject(error as Error)
      }
      // Only done and retry lines came meanwhile: they wait for the next add's write.
      if (waiters.length === 0 && !prompt && queued.length > 0 && !closed) {
        deferred = setTimeout(startFlush, DEFERRED_MS).unref()
        break
      }
    }
    flushing = undefined
  }

  const startFlush = () => {
    // setImmediate: the adds of every request handled in this turn of the event loop share a write.
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush)
  }

  /**
   * Queues a line: `durable` resolves once it is on disk; `prompt` is written at once, unsynced;
   * `deferred` waits for another line's write (up to DEFERRED_MS).
   */
  function enqueue(line: string, mode: 'durable'): Promise<void>
  function enqueue(line: string, mode: 'prompt' | 'deferred'): undefined
  function enqueue(line: string, mode: 'durable' | 'prompt' | 'deferred'): Promise<void> | undefined {
    queued.push(line)
    if (mode === 'deferred') {
      // A write already coming takes it (one queued during a write: see the end of flush()).
      if (!flushing) deferred ??= setTimeout(startFlush, DEFERRED_MS).unref()
      return undefined
    }
    if (mode === 'prompt') {
      prompt = true
      startFlush()
      return undefined
    }
    const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }))
    startFlush()
    return done
  }

  /** A fresh segment with the records still undelivered replaces the full one. */
  async function compact() {
    const old = segment
    const next = await openSegment()
    const lines: string[] = []
    for (const entry of live.values()) lines.push(addLine(entry.record, entry.dueAt))
    const buffer = Buffer.from(lines.join(''))
    await writeAll(next.fh, buffer)
    if (O_DSYNC === undefined) await next.fh.datasync()
    // Bytes, as flush() counts them (a line's string length is less with non-ASCII metadata).
    next.bytes = buffer.length
    next.snapshot = next.bytes
    segment = next
    if (old) {
      await old.fh.close()
      await unlink(old.file)
    }
  }

  const schedule = (key: string, dueAt: number) => {
    if (dueAt <= Date.now()) ready.push(key)
    else {
      waiting.push(key)
      nextDue = Math.min(nextDue, dueAt)
    }
  }

  const track = (record: DeliveryRecord, dueAt: number) => {
    if (live.has(record.key)) return false
    live.set(record.key, { record, dueAt, claimed: false })
    if (record.heldFor === undefined) schedule(record.key, dueAt) // a held one is parked until released
    return true
  }

  const isAlive = (segmentHost: string, pid: number, mtimeMs: number, now: number) => {
    // Its owner refreshes the mtime every HEARTBEAT_MS: long silent, it is gone (on any host).
    if (now - mtimeMs > staleClaimMs) return false
    if (segmentHost !== host) return true // another machine or container: its pids are not ours
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  }

  /** Whether a segment file belongs to nobody alive (a dead process, or a hand-off). */
  async function orphaned(name: string, now: number) {
    if (name.startsWith(ownPrefix) || !name.endsWith('.log')) return false
    if (name.startsWith('+handoff~')) return true
    const [segmentHost = '', pid, owner = ''] = name.split('~', 3)
    // Another outbox of this very process (or of an earlier process that had this pid here).
    if (segmentHost === host && Number(pid) === process.pid) return !liveTokens.has(owner)
    const info = await stat(path.join(dirs.log, name)).catch(() => undefined)
    return info !== undefined && !isAlive(segmentHost, Number(pid), info.mtimeMs, now)
  }

  /** Takes a segment over: renamed to this process first (one taker wins), re-logged, removed. */
  async function adopt(name: string) {
    const taken = path.join(dirs.log, `${ownPrefix}adopt-${randomBytes(4).toString('hex')}.log`)
    try {
      await rename(path.join(dirs.log, name), taken)
    } catch {
      return // another process took it first
    }
    const records = replay(await readFile(taken, 'utf8'))
    const lines: Promise<void>[] = []
    for (const { record, dueAt } of records.values()) {
      if (!track(record, dueAt)) continue
      lines.push(enqueue(addLine(record, dueAt), 'durable'))
      if (record.heldFor !== undefined) unsettled.add(record.key)
    }
    await Promise.all(lines)
    await unlink(taken)
  }

  /**
   * Held records whose process died: the request that held each may have stored the upload's last
   * bytes before the end, so the store decides (a store that cannot answer now is asked again later).
   */
  async function settle() {
    if (!isFinished) return
    for (const key of [...unsettled]) {
      const uploadId = live.get(key)?.record.heldFor
      if (uploadId === undefined) {
        unsettled.delete(key)
        continue
      }
      let finished: boolean
      try {
        finished = await isFinished(uploadId)
      } catch {
        continue
      }
      unsettled.delete(key)
      if (finished) await release([key])
      else drop([key])
    }
  }

  async function release(keys: readonly string[]) {
    for (const key of keys) {
      const entry = live.get(key)
      if (!entry || entry.record.heldFor === undefined) continue
      entry.record = released(entry.record)
      schedule(key, entry.dueAt)
      enqueue(`${JSON.stringify({ u: key })}\n`, 'deferred')
    }
  }

  function drop(keys: readonly string[]) {
    for (const key of keys) {
      if (live.delete(key)) enqueue(`${JSON.stringify({ d: key })}\n`, 'deferred')
    }
  }

  /** Segments to take over, and endpoints disabled or re-enabled by other processes. */
  async function scan(now: number) {
    const changes = disabledChanges
    const names = new Set(await readdir(dirs.disabled))
    if (changes === disabledChanges) disabled = names
    for (const name of await readdir(dirs.log)) {
      if (await orphaned(name, now)) await adopt(name)
    }
    await settle()
    if (!migrated) {
      migrated = true
      await adoptOneFilePerEvent()
    }
  }

  /**
   * Events left by the earlier outbox format (a file per event in pending/ and claimed/, before
   * the segments): taken over like a dead process's segment, so an upgrade loses none. Only files
   * older than staleClaimMs are taken from claimed/ (a process of that version may still be at it);
   * pending/ ones are claimed by renaming them first, as that version did.
   */
  async function adoptOneFilePerEvent() {
    for (const [dir, minAgeMs] of [
      ['pending', 0],
      ['claimed', staleClaimMs],
    ] as const) {
      const from = path.join(root, dir)
      const names = await readdir(from).catch(() => [] as string[])
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const file = path.join(from, name)
        const taken = path.join(dirs.tmp, `legacy-${randomBytes(6).toString('hex')}.json`)
        const info = await stat(file).catch(() => undefined)
        if (!info || Date.now() - info.mtimeMs < minAgeMs) continue
        if (
          !(await rename(file, taken).then(
            () => true,
            () => false,
          ))
        )
          continue // another took it
        try {
          const record = JSON.parse(await readFile(taken, 'utf8')) as DeliveryRecord
          if (track(record, Date.now())) await enqueue(addLine(record), 'durable')
        } catch {
          // unreadable: nothing to deliver
        }
        await unlink(taken).catch(() => {})
      }
    }
  }

  const writeAtomically = async (file: string, content: string) => {
    const tmp = path.join(dirs.tmp, `${randomBytes(8).toString('hex')}`)
    const fh = await open(tmp, 'w')
    try {
      await fh.writeFile(content)
      await fh.datasync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  }

  const readJson = async (dir: string) => {
    const records: DeliveryRecord[] = []
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
      try {
        records.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')) as DeliveryRecord)
      } catch {
        // removed meanwhile (retried by another command)
      }
    }
    return records
  }

  const deadLetters = async () => (await readJson(dirs.dead)).sort((a, b) => a.createdAt - b.createdAt)

  /** Claims up to `limit` records due at `now`, oldest first. */
  function takeDue(limit: number, now: number): Claimed[] {
    if (now >= nextDue) {
      const later: string[] = []
      nextDue = Number.POSITIVE_INFINITY
      for (const key of waiting) {
        const entry = live.get(key)
        if (!entry || entry.claimed) continue
        if (entry.dueAt <= now) ready.push(key)
        else {
          later.push(key)
          nextDue = Math.min(nextDue, entry.dueAt)
        }
      }
      waiting = later
    }
    const claimed: Claimed[] = []
    while (claimed.length < limit && readyHead < ready.length) {
      const key = ready[readyHead++] as string
      const entry = live.get(key)
      if (!entry || entry.claimed) continue // delivered, or taken again after a retry was scheduled
      entry.claimed = true
      claimed.push({ record: entry.record, handle: key })
    }
    if (readyHead > 1024 && readyHead * 2 > ready.length) {
      ready = ready.slice(readyHead)
      readyHead = 0
    }
    return claimed
  }

  return {
    kind: 'file',
    add(records) {
      const now = Date.now()
      let durable: Promise<void> | undefined
      for (const record of records) {
        if (!track(record, now)) continue
        durable = enqueue(addLine(record), 'durable')
      }
      // Lines are written in order, in one batch: the last one's fsync covers them all.
      return durable ?? Promise.resolve()
    },
    release,
    drop,
    async claimDue(limit) {
      if (closed) return []
      const now = Date.now()
      if (now - lastScan >= SCAN_MS) {
        lastScan = now
        await scan(now)
      }
      if (segment && now - lastBeat >= HEARTBEAT_MS) {
        lastBeat = now
        await segment.fh.utimes(now / 1000, now / 1000).catch(() => {})
      }
      return takeDue(limit, Date.now()) // after the awaits: records added meanwhile are due too
    },
    async complete(claimed) {
      if (live.delete(claimed.handle)) enqueue(`${JSON.stringify({ d: claimed.handle })}\n`, 'deferred')
    },
    async reschedule(claimed, dueAt, error) {
      const entry = live.get(claimed.handle)
      if (!entry) return
      entry.record = { ...entry.record, attempts: entry.record.attempts + 1, lastError: error }
      entry.dueAt = dueAt
      entry.claimed = false
      waiting.push(claimed.handle)
      nextDue = Math.min(nextDue, dueAt)
      enqueue(
        `${JSON.stringify({ r: claimed.handle, n: entry.record.attempts, t: dueAt, e: error })}\n`,
        'deferred',
      )
    },
    async deadLetter(claimed, error) {
      const record: DeliveryRecord = {
        ...claimed.record,
        attempts: claimed.record.attempts + 1,
        lastError: error,
      }
      await writeAtomically(path.join(dirs.dead, `${record.key}.json`), JSON.stringify(record))
      if (live.delete(claimed.handle)) enqueue(`${JSON.stringify({ d: claimed.handle })}\n`, 'prompt')
    },
    async counts() {
      // This process's records from memory; other processes' (or, for `tusk-server hooks`, every
      // running server's) from their segments.
      let pending = live.size
      for (const name of await readdir(dirs.log)) {
        if (name.startsWith(ownPrefix) || !name.endsWith('.log')) continue
        const text = await readFile(path.join(dirs.log, name), 'utf8').catch(() => '')
        pending += replay(text).size
      }
      const dead = (await readdir(dirs.dead)).filter((n) => n.endsWith('.json')).length
      return { pending, dead }
    },
    deadLetters,
    async retryDead(keys) {
      const wanted = keys && keys.length > 0 ? new Set(keys) : undefined
      const chosen = (await deadLetters()).filter(
        (r) => !wanted || wanted.has(r.key) || wanted.has(r.eventId),
      )
      if (chosen.length === 0) return 0
      for (const url of new Set(chosen.map((r) => r.url))) {
        await rm(path.join(dirs.disabled, urlHash(url)), { force: true })
        disabled.delete(urlHash(url))
        disabledChanges++
      }
      // One hand-off segment, durable before the dead letters go: a running server takes it over.
      const now = Date.now()
      const lines = chosen.map((r) => addLine({ ...r, attempts: 0 }, now)).join('')
      await writeAtomically(path.join(dirs.log, `+handoff~${randomBytes(8).toString('hex')}.log`), lines)
      for (const record of chosen) await unlink(path.join(dirs.dead, `${record.key}.json`)).catch(() => {})
      lastScan = 0 // a server retrying through its own outbox takes it over on its next look
      return chosen.length
    },
    async disable(url) {
      await writeFile(path.join(dirs.disabled, urlHash(url)), `${url}\n`)
      disabled.add(urlHash(url))
      disabledChanges++
    },
    async isDisabled(url) {
      return disabled.size > 0 && disabled.has(urlHash(url))
    },
    async close() {
      closed = true
      if (queued.length > 0) startFlush() // deferred done lines: the next process need not retry them
      while (flushing) await flushing
      if (segment) {
        const { fh, file } = segment
        segment = undefined
        await fh.close()
        // Nothing left to deliver: the segment is not needed for recovery.
        if (live.size === 0) await unlink(file).catch(() => {})
      }
      liveTokens.delete(token)
    },
  }
}
