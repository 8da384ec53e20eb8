import type { Part } from '@aws-sdk/client-s3'

// Which of a multipart upload's parts (and its `<id>.part` tail) hold the upload's bytes. One PATCH
// is uploaded as several parts at once, so an instance that dies in the middle can leave part k+1
// (or the tail) stored without part k. Only the bytes from 0 without a gap are the upload's: the
// client is told that offset and re-sends the rest. Pure, so the edge cases are tested without S3.

/** The parts that hold the upload's first bytes without a gap, and the stored parts after them. */
export interface StoredPrefix {
  /** Parts 1..n, each present and not empty, stopping where the bytes reach the upload's length. */
  parts: Part[]
  /** The bytes in `parts`: the offset the parts alone account for. */
  bytes: number
  /** Non-empty parts numbered after `parts`: bytes the client was never told are stored. */
  beyond: Part[]
}

/**
 * The gap-free prefix of `listed` (ListParts, any order) for an upload of `length` bytes (undefined
 * while deferred). A part that would run past the length ends the prefix too: it cannot be the
 * upload's (a leftover cut for another layout), and CompleteMultipartUpload must list exactly the
 * parts that make up the object.
 */
export function storedPrefix(listed: readonly Part[], length: number | undefined): StoredPrefix {
  const sorted = [...listed].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
  const parts: Part[] = []
  let bytes = 0
  for (const part of sorted) {
    if (length !== undefined && bytes >= length) break
    const size = part.Size ?? 0
    if (part.PartNumber !== parts.length + 1 || size === 0) break
    if (length !== undefined && bytes + size > length) break
    parts.push(part)
    bytes += size
  }
  const beyond = sorted.filter((part) => (part.PartNumber ?? 0) > parts.length && (part.Size ?? 0) > 0)
  return { parts, bytes, beyond }
}

/** The `<id>.part` tail: its size, and the offset its first byte belongs at (absent when written before Tusk recorded it). */
export interface Tail {
  size: number
  start: number | undefined
}

/**
 * Whether the tail holds the bytes right after the prefix. A tail records where it starts: the last
 * chunk of a PATCH whose earlier parts were lost starts further on. One without that record (written
 * before Tusk kept it) counts only when no part is stored after the prefix, as before.
 */
export function tailFollows(tail: Tail, prefix: StoredPrefix, length: number | undefined): boolean {
  if (tail.size === 0) return false
  if (length !== undefined && prefix.bytes + tail.size > length) return false
  return tail.start === undefined ? prefix.beyond.length === 0 : tail.start === prefix.bytes
}
