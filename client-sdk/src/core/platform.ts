import type { FileReader, HttpStack } from 'tus-js-client'
import type { ChecksumAlgorithm, Metadata } from './types.js'
import type { UrlStorage } from './url-storage.js'

/** A source made ready for tus-js-client: what to hand it, and what we know about it. */
export interface PreparedSource {
  /** The value passed to tus-js-client's Upload (read by the platform's fileReader). */
  input: unknown
  /** Byte size, or null when unknown (a stream without `size`). */
  size: number | null
  /** Identifies the source across runs for resuming, or null when it cannot be identified. */
  fingerprint: string | null
  /** Metadata the source implies (e.g. filename), merged under the caller's metadata. */
  metadata: Metadata
  /** Streams can only be read once: they need a bounded chunk size. */
  isStream: boolean
  /** Absolute file path, for Node file sources: recorded so the CLI can resume it. */
  path?: string
}

/** Everything that differs between Node and browsers. */
export interface Platform<S> {
  prepare(source: S, endpoint: string, size: number | undefined): Promise<PreparedSource>
  fileReader: FileReader
  httpStack: HttpStack
  defaultUrlStorage(): UrlStorage
  /** Digest of a request body (as produced by fileReader slices), base64; null if it cannot be computed. */
  digest(body: unknown, algorithm: ChecksumAlgorithm): Promise<string | null>
  canDigest(algorithm: ChecksumAlgorithm): boolean
}
