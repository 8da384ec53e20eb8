import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import lockfile from 'proper-lockfile'
import { KEY_PREFIX, newStorageKey, type StoredUpload, type UrlStorage } from '../core/url-storage.js'
import { defaultUrlStorePath } from './state-dir.js'

type Entries = Record<string, Omit<StoredUpload, 'urlStorageKey'>>

/**
 * Remembers upload URLs in one JSON file. Safe with several processes at once: every change is a
 * read-modify-write under an exclusive lock (proper-lockfile: a lock directory with a stale-lock
 * timeout, so a process killed while holding it cannot block others for long), and the new
 * content is written to a temporary file and renamed over the old one, so a reader (which takes no
 * lock) sees either the old or the new file, never a half-written one.
 */
export class FileUrlStorage implements UrlStorage {
  constructor(readonly path: string = defaultUrlStorePath()) {}

  async findAllUploads(): Promise<StoredUpload[]> {
    const entries = await this.read()
    return Object.entries(entries)
      .filter(([key]) => key.startsWith(KEY_PREFIX))
      .map(([key, entry]) => ({ ...entry, urlStorageKey: key }))
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    const prefix = `${KEY_PREFIX}${fingerprint}::`
    return (await this.findAllUploads()).filter((entry) => entry.urlStorageKey.startsWith(prefix))
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    await this.update((entries) => {
      delete entries[urlStorageKey]
    })
  }

  async addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string> {
    const key = newStorageKey(fingerprint)
    await this.update((entries) => {
      entries[key] = { ...upload, fingerprint }
    })
    return key
  }

  private async read(): Promise<Entries> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw error
    }
    if (!text.trim()) return {}
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === 'object' ? (parsed as Entries) : {}
  }

  private async update(change: (entries: Entries) => void): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const release = await lockfile.lock(this.path, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 50, minTimeout: 5, maxTimeout: 250, randomize: true },
    })
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      const entries = await this.read()
      change(entries)
      await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 })
      await rename(temporary, this.path)
    } finally {
      await rm(temporary, { force: true })
      await release()
    }
  }
}
