import type { Readable } from 'node:stream'
import type { DataStore, Upload } from '@tus/utils'

/** What a download needs to know about a finished upload's bytes. */
export interface StoredObject {
  size: number
  lastModified: Date
  etag: string
}

// Capabilities, composed as tusd composes Terminater, ConcatableUpload and LengthDeferrer: a store
// has the core below plus any of these. The upload core offers an operation only when the store has
// its capability, and the tus adapter derives Tus-Extension from them (tus/extensions.ts).

/** Removes an upload and everything stored for it. */
export interface Terminator {
  terminate(id: string): Promise<void>
}

/** Sets the length of an upload created without one. */
export interface LengthDeferrer {
  declareLength(id: string, size: number): Promise<void>
}

/** Unfinished uploads expire `expiryPeriod` ms after creation and are removed by deleteExpired(). */
export interface Expirer {
  readonly expiryPeriod: number
  /** Deletes expired uploads; returns how many were deleted. */
  deleteExpired(): Promise<number>
}

/**
 * Fills `final` (already created with `datastore.create`, size = the sum of the partials' sizes)
 * with the bytes of the finished `partials`, in order, inside the store (streamed, or copied
 * server-side), so that afterwards its offset equals its size. The partials are left as they are.
 */
export interface Concatenator {
  concatenate(final: Upload, partials: readonly Upload[]): Promise<void>
}

/**
 * Which final uploads wait for which unfinished partial uploads (tus concatenation-unfinished), kept
 * with the uploads so that any instance finishing a partial finds the finals to assemble: a final
 * is assembled by the request that finishes its last partial, never by polling. Entries are small
 * markers (file store: empty files under `.waiting/<partial>/`; S3: empty objects under
 * `tusk-waiting/<partial>/`).
 */
export interface PendingConcatenations {
  /** Records that final upload `finalId` waits for partial `partialId` (idempotent). */
  add(partialId: string, finalId: string): Promise<void>
  /** The final uploads recorded as waiting for `partialId`. */
  waitingFor(partialId: string): Promise<string[]>
  /** Forgets that `finalId` waits for `partialId` (idempotent). */
  remove(partialId: string, finalId: string): Promise<void>
  /**
   * Every recorded pair, for the sweep after expiry and the look at start-up (upload/tend-pending.ts):
   * markers outlive a crash, so they also find a final whose assembly a crash cut short.
   */
  list(): Promise<PendingPair[]>
}

/** Final upload `finalId` waits for partial upload `partialId`. */
export interface PendingPair {
  readonly partialId: string
  readonly finalId: string
}

/**
 * Appends a chunk that counts only once `verify` accepts it, writing its bytes once: in place, kept
 * out of the upload's offset until verified (also across a crash of the process), and removed when
 * `verify` throws or the body breaks off. `written()` streams the chunk back (for a digest named only
 * after the body, in a trailer). Called under the upload's lock. Resolves with the new offset.
 */
export interface VerifiedAppender {
  appendVerified(
    readable: Readable,
    id: string,
    offset: number,
    verify: (written: () => Readable) => Promise<void>,
  ): Promise<number>
}

/**
 * Creation-with-upload in one go: creates `upload`, awaits `beforeBody` (the "created" events), then
 * stores `body` as its first bytes, cheaper than create() then write(). Resolves with the new offset;
 * on a broken body, what arrived is kept and the body's error is thrown, as write() does.
 */
export interface BodyCreator {
  createWithBody(upload: Upload, body: Readable, beforeBody: () => Promise<void>): Promise<number>
}

/**
 * A store as Tusk sees it: the @tus DataStore that the upload core creates, reads and writes
 * uploads through, plus downloads and readiness, plus the optional capabilities above.
 */
export interface TuskStore
  extends Partial<Terminator & LengthDeferrer & Concatenator & VerifiedAppender & BodyCreator> {
  readonly kind: string
  readonly datastore: DataStore
  /** Size, modification time and entity tag of a finished upload. Throws ERR.NOT_FOUND. */
  stat(id: string): Promise<StoredObject>
  /** The bytes [start, end] (inclusive) of a finished upload, streamed. */
  createReadStream(id: string, range?: { start: number; end: number }): Promise<Readable>
  /**
   * A short-lived URL the client may GET a finished upload's bytes from directly (S3 with
   * --s3-download-redirect: a presigned GetObject answering with `headers`), or undefined when the
   * store serves downloads itself. Called only after Tusk's own authorization of the download.
   */
  downloadUrl?(
    id: string,
    headers: { contentType: string; contentDisposition: string },
  ): Promise<string | undefined>
  /** Resolves when the store accepts writes; rejects with the reason otherwise (for /ready). */
  checkWritable(): Promise<void>
  close(): Promise<void>
  readonly expirer?: Expirer
  /** With concatenate: final uploads may be created over partials still in progress. */
  readonly pendingConcatenations?: PendingConcatenations
  /**
   * Directory where a chunk waits while its digest is verified, before it is committed with
   * `datastore.write`; the OS temp directory when absent.
   */
  readonly stagingDirectory?: string
}

/** The capabilities a store has, by name. */
export interface StoreCapabilities {
  readonly terminate: boolean
  readonly deferLength: boolean
  readonly concatenate: boolean
  /** A final upload may be created before its partials are finished (tus concatenation-unfinished). */
  readonly concatenateUnfinished: boolean
  readonly expire: boolean
}

export function capabilitiesOf(store: TuskStore): StoreCapabilities {
  return {
    terminate: typeof store.terminate === 'function',
    deferLength: typeof store.declareLength === 'function',
    concatenate: typeof store.concatenate === 'function',
    concatenateUnfinished:
      typeof store.concatenate === 'function' && store.pendingConcatenations !== undefined,
    expire: (store.expirer?.expiryPeriod ?? 0) > 0,
  }
}
