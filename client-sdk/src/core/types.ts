import type { HttpStack } from 'tus-js-client'
import type { ChecksumAlgorithm } from './checksum-algorithms.js'
import type { TuskUploadError } from './errors.js'
import type { RetryPolicy } from './retry.js'
import type { UrlStorage } from './url-storage.js'

/** Upload metadata: tus `Upload-Metadata` key/value pairs (values are sent base64-encoded). */
export type Metadata = Record<string, string>

export type { ChecksumAlgorithm } from './checksum-algorithms.js'

/** What the SDK asks of a token provider. */
export interface TokenRequest {
  /**
   * True once the server refused the last token with 401: return a fresh token, not a cached one
   * (e.g. ask the backend for a new upload token). False before an ordinary request.
   */
  refresh: boolean
}

/**
 * Returns a bearer token; called before every request (`{ refresh: false }`) so an expired token is
 * replaced in time. When the server answers 401, the SDK calls it once with `{ refresh: true }` and
 * sends the request again with the token it returns; a second 401 in a row fails the upload with an
 * `unauthorized` error carrying the server's reason. A provider that caches its token should keep
 * the fresh one for the calls that follow. `() => token` (ignoring the argument) still works.
 */
export type TokenProvider = (request: TokenRequest) => string | Promise<string>

/**
 * The wire protocol, named as tus-js-client names it: `tus-v1` (the default), or `ietf-draft-05`, the
 * IETF "Resumable Uploads for HTTP" draft in interop version 6 (what Tusk and tus-js-client speak).
 */
export type UploadProtocol = 'tus-v1' | 'ietf-draft-05'

export const UPLOAD_PROTOCOLS: readonly UploadProtocol[] = ['tus-v1', 'ietf-draft-05']

export interface UploadOptions<M extends Metadata = Metadata> {
  /** The tus creation endpoint, e.g. `https://uploads.example.com/files`. */
  endpoint: string
  /**
   * `tus-v1` (default) or `ietf-draft-05`. The draft has no checksum or concatenation extension, so
   * with it `checksum` and `parallelUploads` are not used (the plan says so).
   */
  protocol?: UploadProtocol
  /** Headers sent with every request. */
  headers?: Record<string, string>
  /**
   * Async auth-token provider, called before each request; sent as `Authorization: Bearer <token>`.
   * On a 401 it is asked once for a fresh token (`{ refresh: true }`) and the request is retried.
   */
  getToken?: TokenProvider
  /** Metadata for the upload (a `filename` is filled in from the source when known). */
  metadata?: M
  /**
   * Largest body of one request in bytes. Default: one request for the whole file, except 8 MiB when
   * checksums are on or the source is a stream (both need a bounded chunk).
   */
  chunkSize?: number
  /** Retry policy (exponential backoff with jitter), or `false` to fail on the first error. */
  retry?: Partial<RetryPolicy> | false
  /** Remember the upload URL per source and resume from the server's offset next time. Default true. */
  resume?: boolean
  /** Where upload URLs are remembered. Default: localStorage (browser) / a file in the state dir (Node). */
  urlStorage?: UrlStorage
  /** Send `Upload-Checksum` per chunk with this algorithm when the server announces it. */
  checksum?: ChecksumAlgorithm
  /** Split the upload into this many parallel partial uploads when the server announces `concatenation`. */
  parallelUploads?: number
  /** Use creation-with-upload when announced (saves a round trip). Default true. */
  creationWithUpload?: boolean
  /** Size of a stream source, when known; without it a stream is uploaded with a deferred length. */
  size?: number
  /** Ask the server for its capabilities with OPTIONS before uploading. Default true. */
  discover?: boolean
  /** Cancels the upload (like `abort()` without terminating it on the server). */
  signal?: AbortSignal
  /** Called with progress figures as bytes move. */
  onProgress?: (progress: UploadProgress) => void
  /** Fingerprint override: the key under which this source's upload URL is remembered. */
  fingerprint?: string
  /** Replaces the HTTP layer (tus-js-client's HttpStack): for tests and custom transports. */
  httpStack?: HttpStack
}

export interface UploadProgress {
  /** Bytes handed to the network (may include bytes the server has not confirmed yet). */
  bytesSent: number
  /** Bytes the server confirmed with `Upload-Offset`. */
  bytesAcknowledged: number
  /** Total size, or null while a stream's length is still unknown. */
  bytesTotal: number | null
  /** Recent sending rate in bytes per second. */
  rate: number
  /** Estimated seconds left, or null when the rate or total is unknown. */
  etaSeconds: number | null
}

/** What the server announced in its OPTIONS answer. */
export interface ServerCapabilities {
  /** False when OPTIONS failed or answered no tus headers: only core + creation are assumed. */
  discovered: boolean
  versions: string[]
  extensions: string[]
  maxSize: number | null
  checksumAlgorithms: string[]
}

/** How the upload actually went over the wire, after matching options to capabilities. */
export interface TransferPlan {
  protocol: UploadProtocol
  checksum: ChecksumAlgorithm | null
  parallelUploads: number
  creationWithUpload: boolean
  deferredLength: boolean
  chunkSize: number
}

export interface UploadSuccess<M extends Metadata = Metadata> {
  ok: true
  url: string
  size: number
  metadata: M
  /** Server offset found when the upload resumed a previous attempt (0 for a fresh upload). */
  resumedFrom: number
  plan: TransferPlan
}

export interface UploadFailure {
  ok: false
  error: TuskUploadError
}

export type UploadResult<M extends Metadata = Metadata> = UploadSuccess<M> | UploadFailure

export type UploadState = 'idle' | 'running' | 'paused' | 'succeeded' | 'failed' | 'aborted'

export interface RetryEvent {
  attempt: number
  delayMs: number
  error: TuskUploadError
  /**
   * Whether a tus server has answered during this upload. Until it has, retries stop after the
   * policy's `unreachedBudgetMs`; afterwards after `maxRetries` consecutive failures.
   */
  reached: boolean
}

export interface UploadEvents {
  progress: UploadProgress
  retry: RetryEvent
  /** The upload URL is known (created or resumed). */
  url: string
  /** Options matched against the server's capabilities: emitted once, before the first byte. */
  plan: TransferPlan
  state: UploadState
}

export interface UploadHandle<M extends Metadata = Metadata> {
  /** Resolves once, when the upload succeeds, fails for good, or is aborted. Never rejects. */
  readonly done: Promise<UploadResult<M>>
  readonly state: UploadState
  /** The upload URL, once created or resumed. */
  readonly url: string | null
  /** Begins (or, after `pause()`, continues) the upload. Returns the handle for chaining. */
  start(): UploadHandle<M>
  /** Stops sending; the server keeps what it received. */
  pause(): Promise<void>
  /** Continues after `pause()` from the server's offset. */
  resume(): UploadHandle<M>
  /** Stops for good; with `terminate` the upload is also deleted on the server. */
  abort(options?: { terminate?: boolean }): Promise<void>
  on<E extends keyof UploadEvents>(event: E, listener: (value: UploadEvents[E]) => void): () => void
}
