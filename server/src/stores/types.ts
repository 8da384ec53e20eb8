import type { Readable } from 'node:stream'
import type { DataStore } from '@tus/utils'

/** What a download needs to know about a finished upload's bytes. */
export interface StoredObject {
  size: number
  lastModified: Date
  etag: string
}

/**
 * A store as Tusk sees it: the @tus DataStore that the protocol layer writes through, plus the
 * abilities Tusk adds on top (downloads, readiness). Capabilities are the DataStore's `extensions`.
 */
export interface TuskStore {
  readonly kind: string
  readonly datastore: DataStore
  /** Size, modification time and entity tag of a finished upload. Throws ERR.NOT_FOUND. */
  stat(id: string): Promise<StoredObject>
  /** The bytes [start, end] (inclusive) of a finished upload, streamed. */
  createReadStream(id: string, range?: { start: number; end: number }): Promise<Readable>
  /** Resolves when the store accepts writes; rejects with the reason otherwise (for /ready). */
  checkWritable(): Promise<void>
  /** Deletes expired unfinished uploads; returns how many were deleted. */
  deleteExpired(): Promise<number>
  close(): Promise<void>
}
