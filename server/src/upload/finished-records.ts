import type { Upload } from '@tus/utils'
import type { StoredObject } from '../stores/types.js'

/**
 * Records of finished uploads, kept after a download read them, so that the next download of the
 * same upload reads no record: the stored object's stat, which a download makes anyway for its
 * ETag, says whether the kept record still stands. A finished upload's record never changes, and an
 * entry is used only while the object's ETag (size and modification time; S3's object ETag) is the one
 * it was kept with. A deleted, rewritten or replaced upload misses and is read again the ordinary
 * way, with the ordinary answers (404, 410). Bounded: the oldest entry leaves first.
 */
export class FinishedRecords {
  readonly #entries = new Map<string, { readonly upload: Upload; readonly etag: string }>()

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.#entries.has(id)
  }

  /** The kept record of `id` if `object` is still what it was kept with. */
  get(id: string, object: StoredObject): Upload | undefined {
    const entry = this.#entries.get(id)
    if (entry === undefined) return undefined
    if (entry.etag === object.etag) return entry.upload
    this.#entries.delete(id)
    return undefined
  }

  remember(id: string, upload: Upload, object: StoredObject): void {
    if (!this.#entries.has(id) && this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(id, { upload, etag: object.etag })
  }

  get size(): number {
    return this.#entries.size
  }
}
