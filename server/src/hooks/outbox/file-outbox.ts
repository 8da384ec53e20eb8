import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Claimed, DeliveryRecord, Outbox } from './types.js'

// The outbox of a single machine, in the data directory (".hooks" can never be an upload id):
//   pending/<dueAt>~<key>.json      waiting for its next attempt (the name says when it is due)
//   claimed/<claimedAt>~<dueAt>~<key>.json   taken by a process for one attempt (rename = claim: one
//                                   process wins, even across cluster workers sharing the directory)
//   dead/<key>.json                 given up after the last retry
//   disabled/<hash of url>          endpoints that answered 410
// Every write is a write to a temporary name then a rename, so a crash never leaves half a record.
// Records are in the page cache when `add` resolves: they survive the process being killed
// (SIGKILL, OOM), like the uploads' own bytes in the file store (neither is fsync'ed).

const urlHash = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 32)
const DUE_DIGITS = 15

export function createFileOutbox(dataDir: string, staleClaimMs: number): Outbox {
  const root = path.join(path.resolve(dataDir), '.hooks')
  const dirs = {
    pending: path.join(root, 'pending'),
    claimed: path.join(root, 'claimed'),
    dead: path.join(root, 'dead'),
    disabled: path.join(root, 'disabled'),
    tmp: path.join(root, 'tmp'),
  }
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  let lastStaleCheck = 0

  const writeAtomically = async (file: string, content: string) => {
    const tmp = path.join(dirs.tmp, `${randomBytes(8).toString('hex')}.json`)
    await writeFile(tmp, content)
    await rename(tmp, file)
  }
  const pendingName = (dueAt: number, key: string) => `${String(dueAt).padStart(DUE_DIGITS, '0')}~${key}.json`
  const isAlive = (pid: number) => {
    if (pid === process.pid) return true
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
  const keyOf = (name: string) =>
    name
      .split('~')
      .pop()
      ?.replace(/\.json$/, '') ?? ''
  const list = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.json'))

  /**
   * Claims whose process died mid-attempt go back to pending (due when they were): at once when that
   * process is gone (a restart after SIGKILL delivers right away), else after staleClaimMs.
   */
  async function releaseStaleClaims(now: number) {
    if (now - lastStaleCheck < Math.min(staleClaimMs, 2_000)) return
    lastStaleCheck = now
    for (const name of await list(dirs.claimed)) {
      const [claimedAt, pid] = name.split('~', 2).map(Number)
      if (now - (claimedAt ?? 0) < staleClaimMs && isAlive(pid ?? 0)) continue
      const rest = name.split('~').slice(2).join('~')
      await rename(path.join(dirs.claimed, name), path.join(dirs.pending, rest)).catch(() => {})
    }
  }

  return {
    kind: 'file',
    async add(records) {
      const now = Date.now()
      await Promise.all(
        records.map((r) =>
          writeAtomically(path.join(dirs.pending, pendingName(now, r.key)), JSON.stringify(r)),
        ),
      )
    },
    async claimDue(limit) {
      const now = Date.now()
      await releaseStaleClaims(now)
      const due = (await list(dirs.pending)).filter((name) => Number(name.split('~', 1)[0]) <= now).sort()
      const claimed: Claimed[] = []
      for (const name of due) {
        if (claimed.length >= limit) break
        const handle = `${now}~${process.pid}~${name}`
        try {
          await rename(path.join(dirs.pending, name), path.join(dirs.claimed, handle))
        } catch {
          continue // another process claimed it first
        }
        try {
          const record = JSON.parse(await readFile(path.join(dirs.claimed, handle), 'utf8')) as DeliveryRecord
          claimed.push({ record, handle })
        } catch {
          // Unreadable (cannot happen with atomic writes): kept aside as a dead letter for an operator.
          await rename(path.join(dirs.claimed, handle), path.join(dirs.dead, `${keyOf(name)}.corrupt`)).catch(
            () => {},
          )
        }
      }
      return claimed
    },
    async complete(claimed) {
      await unlink(path.join(dirs.claimed, claimed.handle)).catch(() => {})
    },
    async reschedule(claimed, dueAt, error) {
      const record: DeliveryRecord = {
        ...claimed.record,
        attempts: claimed.record.attempts + 1,
        lastError: error,
      }
      await writeAtomically(path.join(dirs.pending, pendingName(dueAt, record.key)), JSON.stringify(record))
      await unlink(path.join(dirs.claimed, claimed.handle)).catch(() => {})
    },
    async deadLetter(claimed, error) {
      const record: DeliveryRecord = {
        ...claimed.record,
        attempts: claimed.record.attempts + 1,
        lastError: error,
      }
      await writeAtomically(path.join(dirs.dead, `${record.key}.json`), JSON.stringify(record))
      await unlink(path.join(dirs.claimed, claimed.handle)).catch(() => {})
    },
    async counts() {
      const [pending, claimed, dead] = await Promise.all([
        list(dirs.pending),
        list(dirs.claimed),
        list(dirs.dead),
      ])
      return { pending: pending.length + claimed.length, dead: dead.length }
    },
    async deadLetters() {
      const records: DeliveryRecord[] = []
      for (const name of (await list(dirs.dead)).sort()) {
        try {
          records.push(JSON.parse(await readFile(path.join(dirs.dead, name), 'utf8')) as DeliveryRecord)
        } catch {
          // removed meanwhile (retried by another command)
        }
      }
      return records
    },
    async retryDead(keys) {
      const wanted = keys && keys.length > 0 ? new Set(keys) : undefined
      let count = 0
      const now = Date.now()
      for (const record of await this.deadLetters()) {
        if (wanted && !wanted.has(record.key) && !wanted.has(record.eventId)) continue
        await rm(path.join(dirs.disabled, urlHash(record.url)), { force: true })
        const again: DeliveryRecord = { ...record, attempts: 0 }
        await writeAtomically(path.join(dirs.pending, pendingName(now, record.key)), JSON.stringify(again))
        await unlink(path.join(dirs.dead, `${record.key}.json`)).catch(() => {})
        count++
      }
      return count
    },
    async disable(url) {
      await writeFile(path.join(dirs.disabled, urlHash(url)), `${url}\n`)
    },
    async isDisabled(url) {
      return stat(path.join(dirs.disabled, urlHash(url))).then(
        () => true,
        () => false,
      )
    },
    async close() {},
  }
}
