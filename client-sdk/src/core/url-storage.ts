import type { UploadProtocol } from './types.js'
/**
 * One remembered upload. Compatible with tus-js-client's `PreviousUpload`, plus what the CLI needs
 * to resume it later without the original command line.
 */
export interface StoredUpload {
  size: number | null
  metadata: Record<string, string>
  creationTime: string
  urlStorageKey: string
  uploadUrl: string | null
  parallelUploadUrls: string[] | null
  /** The endpoint the upload was created at. */
  endpoint?: string
  /** Absolute path of the uploaded file (Node file sources only). */
  path?: string
  /** The protocol the upload was created with, when not tus v1 (it must be resumed with the same). */
  protocol?: UploadProtocol
  /** The fingerprint this entry is filed under. */
  fingerprint?: string
}

/** tus-js-client's URL storage interface, typed with StoredUpload. */
export interface UrlStorage {
  findAllUploads(): Promise<StoredUpload[]>
  findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]>
  removeUpload(urlStorageKey: string): Promise<void>
  /** Returns the key under which the entry was stored. */
  addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string>
}

export const KEY_PREFIX = 'tus::'

export function newStorageKey(fingerprint: string): string {
  return `${KEY_PREFIX}${fingerprint}::${Math.random().toString(36).slice(2, 12)}`
}

/** Fingerprint part of a storage key (`tus::<fingerprint>::<id>`). */
export function fingerprintOfKey(key: string): string {
  return key.slice(KEY_PREFIX.length, key.lastIndexOf('::'))
}

/** Newest first: the entry most likely to match the server's current state. */
export function newestFirst(uploads: StoredUpload[]): StoredUpload[] {
  return [...uploads].sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))
}

/** Keeps URLs in memory only: for tests, and for uploads that must not be remembered. */
export class MemoryUrlStorage implements UrlStorage {
  private readonly entries = new Map<string, StoredUpload>()

  async findAllUploads(): Promise<StoredUpload[]> {
    return [...this.entries.values()].map((entry) => ({ ...entry }))
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    const prefix = `${KEY_PREFIX}${fingerprint}::`
    return (await this.findAllUploads()).filter((entry) => entry.urlStorageKey.startsWith(prefix))
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    this.entries.delete(urlStorageKey)
  }

  async addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string> {
    const key = newStorageKey(fingerprint)
    this.entries.set(key, { ...upload, fingerprint, urlStorageKey: key })
    return key
  }
}

/**
 * Sits between tus-js-client and the real storage: adds the CLI's fields to every entry and keeps
 * the last entry written, which is how the handle learns the URLs of parallel partial uploads
 * (tus-js-client does not expose them otherwise) to carry them across retries and pauses.
 */
export class RecordingUrlStorage implements UrlStorage {
  last: StoredUpload | null = null

  constructor(
    private readonly inner: UrlStorage,
    private readonly extra: Pick<StoredUpload, 'endpoint' | 'path' | 'protocol'>,
  ) {}

  findAllUploads(): Promise<StoredUpload[]> {
    return this.inner.findAllUploads()
  }

  findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    return this.inner.findUploadsByFingerprint(fingerprint)
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    if (this.last?.urlStorageKey === urlStorageKey) this.last = null
    await this.inner.removeUpload(urlStorageKey)
  }

  async addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string> {
    const entry = {
      ...upload,
      uploadUrl: upload.uploadUrl ?? null,
      parallelUploadUrls: upload.parallelUploadUrls ? [...upload.parallelUploadUrls] : null,
      ...this.extra,
      fingerprint,
    }
    const key = await this.inner.addUpload(fingerprint, entry)
    this.last = { ...entry, urlStorageKey: key }
    return key
  }
}
