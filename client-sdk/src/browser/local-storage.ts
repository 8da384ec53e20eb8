import { KEY_PREFIX, newStorageKey, type StoredUpload, type UrlStorage } from '../core/url-storage.js'

/**
 * Remembers upload URLs in `localStorage` (one item per upload, keyed `tus::<fingerprint>::<id>`),
 * so an upload survives a closed tab or a reload.
 */
export class LocalStorageUrlStorage implements UrlStorage {
  constructor(private readonly storage: Storage = globalThis.localStorage) {}

  async findAllUploads(): Promise<StoredUpload[]> {
    return this.find(KEY_PREFIX)
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    return this.find(`${KEY_PREFIX}${fingerprint}::`)
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    this.storage.removeItem(urlStorageKey)
  }

  async addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string> {
    const key = newStorageKey(fingerprint)
    this.storage.setItem(key, JSON.stringify({ ...upload, fingerprint }))
    return key
  }

  private find(prefix: string): StoredUpload[] {
    const results: StoredUpload[] = []
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i)
      if (!key?.startsWith(prefix)) continue
      try {
        results.push({
          ...(JSON.parse(this.storage.getItem(key) ?? 'null') as StoredUpload),
          urlStorageKey: key,
        })
      } catch {
        // A foreign or corrupted item under our prefix is skipped, not fatal.
      }
    }
    return results
  }
}

/** localStorage can be missing or throw (disabled storage, some private modes). */
export function localStorageAvailable(): boolean {
  try {
    const probe = '__tusk_probe__'
    globalThis.localStorage.setItem(probe, probe)
    globalThis.localStorage.removeItem(probe)
    return true
  } catch {
    return false
  }
}
