import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs'
import {
  access,
  constants,
  link,
  mkdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import type { LeaseBackend } from './lease-locker.js'
import { broadcastLockMessage, onLockMessage } from './lock-messages.js'

/** The directory of lock files, inside the data dir (upload ids never contain a dot). */
export const lockDirectory = (dataDir: string) => path.join(path.resolve(dataDir), '.tusk-locks')

type Owner = { token: string; pid: number; host: string }

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code

/** A lock file's owner; 'torn' when the file holds no valid owner (never written whole). */
async function readOwner(file: string): Promise<Owner | 'torn' | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Owner
    return typeof owner?.token === 'string' ? owner : 'torn'
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    if (error instanceof SyntaxError) return 'torn'
    throw error
  }
}

const tokenOf = (owner: Owner | 'torn' | undefined) => (typeof owner === 'object' ? owner.token : owner)

/**
 * Whether a process exists and is not a zombie: a worker killed a moment ago stays a zombie until
 * the supervisor reaps it, and kill(pid, 0) succeeds on a zombie.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return errno(error) === 'EPERM'
  }
  try {
    // /proc/PID/stat: "pid (comm) S ..."; comm may contain spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true // no /proc (not Linux): trust kill(pid, 0)
  }
}

/** Temporary files a lock is written to before it is linked into place: `<id>.lock.<pid>.<token>.tmp`. */
const TEMP = /\.lock\.(\d+)\.[0-9a-f-]+\.tmp$/

/** Removes temp files left by processes that died between writing and linking them. */
function sweepTempFiles(directory: string): void {
  for (const name of readdirSync(directory)) {
    const pid = TEMP.exec(name)?.[1]
    if (pid !== undefined && !isAlive(Number(pid))) {
      try {
        unlinkSync(path.join(directory, name))
      } catch {}
    }
  }
}

/**
 * Leases as lock files, one per upload, for the worker processes of one machine (cluster mode
 * without Redis). A lock file is written whole under a temporary name and then hard-linked into
 * place (link fails if the lock exists), so a lock file always names its owner: one that does not
 * (torn, from elsewhere) is dead at once. Before, a worker killed between creating the file and
 * writing it left an empty lock that blocked its upload for the whole TTL (issue 13: a HEAD that took
 * 5.2 s after a worker died). The holder refreshes the file's mtime as its renewal. A lock
 * is dead when its owner process is gone (same host) or its mtime is older than the TTL; a dead lock
 * is moved aside under a unique name and checked before it is deleted, so two processes that both
 * saw it dead cannot both delete a fresh lock.
 */
export function createFileLeaseBackend(dataDir: string): LeaseBackend {
  const directory = lockDirectory(dataDir)
  mkdirSync(directory, { recursive: true })
  sweepTempFiles(directory)
  const host = hostname()
  const fileOf = (id: string) => path.join(directory, `${id}.lock`)
  let stopListening = () => {}

  /** Removes a dead lock; true when the caller should try to take it again. */
  async function removeIfDead(file: string, ttl: number): Promise<boolean> {
    let mtimeMs: number
    try {
      mtimeMs = (await stat(file)).mtimeMs
    } catch (error) {
      if (errno(error) === 'ENOENT') return true
      throw error
    }
    const owner = await readOwner(file)
    const ownerGone =
      owner === 'torn' ||
      (owner !== undefined && owner.host === host && owner.pid !== process.pid && !isAlive(owner.pid))
    if (!ownerGone && Date.now() - mtimeMs <= ttl) return false
    const aside = `${file}.${randomUUID()}.dead`
    try {
      await rename(file, aside)
    } catch (error) {
      if (errno(error) === 'ENOENT') return true
      throw error
    }
    const moved = await readOwner(aside)
    if (tokenOf(moved) !== tokenOf(owner)) {
      // We moved a lock taken since we looked: put it back (its holder fences itself if we can't).
      await link(aside, file).catch(() => {})
      await unlink(aside).catch(() => {})
      return false
    }
    await unlink(aside).catch(() => {})
    return true
  }

  return {
    kind: 'file',
    async checkReady() {
      await mkdir(directory, { recursive: true })
      await access(directory, constants.W_OK)
    },
    async tryAcquire(id, token, ttl) {
      const file = fileOf(id)
      const temp = `${file}.${process.pid}.${token}.tmp`
      await writeFile(temp, JSON.stringify({ token, pid: process.pid, host } satisfies Owner))
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            await link(temp, file)
            return true
          } catch (error) {
            if (errno(error) !== 'EEXIST') throw error
          }
          if (!(await removeIfDead(file, ttl))) return false
        }
        return false
      } finally {
        await unlink(temp).catch(() => {})
      }
    },
    async renew(id, token) {
      const file = fileOf(id)
      if (tokenOf(await readOwner(file)) !== token) return false
      const now = new Date()
      await utimes(file, now, now)
      return true
    },
    async release(id, token, notify) {
      const file = fileOf(id)
      if (tokenOf(await readOwner(file)) === token) {
        await unlink(file).catch((error: unknown) => {
          if (errno(error) !== 'ENOENT') throw error
        })
      }
      if (notify) broadcastLockMessage({ type: 'tusk:lock-released', id })
    },
    async requestRelease(id) {
      broadcastLockMessage({ type: 'tusk:lock-release-requested', id })
    },
    listen(events) {
      stopListening = onLockMessage((message) => {
        if (message.type === 'tusk:lock-release-requested') events.releaseRequested(message.id)
        else events.released(message.id)
      })
    },
    async close() {
      stopListening()
    },
  }
}
