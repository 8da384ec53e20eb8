import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
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

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Owner
    return typeof owner.token === 'string' ? owner : undefined
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    if (error instanceof SyntaxError) return undefined // created, not yet written (or its writer died)
    throw error
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errno(error) === 'EPERM'
  }
}

/**
 * Leases as lock files, one per upload, for the worker processes of one machine (cluster mode
 * without Redis). Created with O_EXCL; the holder refreshes the file's mtime as its renewal. A lock
 * is dead when its owner process is gone (same host) or its mtime is older than the TTL; a dead lock
 * is moved aside under a unique name and checked before it is deleted, so two processes that both
 * saw it dead cannot both delete a fresh lock.
 */
export function createFileLeaseBackend(dataDir: string): LeaseBackend {
  const directory = lockDirectory(dataDir)
  mkdirSync(directory, { recursive: true })
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
      owner !== undefined && owner.host === host && owner.pid !== process.pid && !isAlive(owner.pid)
    if (!ownerGone && Date.now() - mtimeMs <= ttl) return false
    const aside = `${file}.${randomUUID()}.dead`
    try {
      await rename(file, aside)
    } catch (error) {
      if (errno(error) === 'ENOENT') return true
      throw error
    }
    const moved = await readOwner(aside)
    if (moved?.token !== owner?.token) {
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
      const content = JSON.stringify({ token, pid: process.pid, host } satisfies Owner)
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await writeFile(file, content, { flag: 'wx' })
          return true
        } catch (error) {
          if (errno(error) !== 'EEXIST') throw error
        }
        if (!(await removeIfDead(file, ttl))) return false
      }
      return false
    },
    async renew(id, token) {
      const file = fileOf(id)
      if ((await readOwner(file))?.token !== token) return false
      const now = new Date()
      await utimes(file, now, now)
      return true
    },
    async release(id, token, notify) {
      const file = fileOf(id)
      if ((await readOwner(file))?.token === token) {
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
