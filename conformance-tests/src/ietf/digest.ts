import { createHash } from 'node:crypto'
import { serializeDictionary } from 'structured-headers'

// RFC 9530 integrity fields as the ietf group sends them: Content-Digest (one request's content) and
// Repr-Digest (the whole upload), each a Dictionary of Byte Sequences by algorithm, written with
// structured-headers. sha-256 is the algorithm RFC 9530 lists as current that every server is likely
// to read; a wrong digest is the right one of other bytes, so only its value is wrong.

/** `sha-256=:<base64>:` of `bytes`. */
export function sha256Field(bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest()
  const buffer = digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength)
  return serializeDictionary({ 'sha-256': [buffer as ArrayBuffer, new Map()] })
}

/** A well-formed sha-256 field that does not match `bytes` (the digest of them with one byte flipped). */
export function wrongSha256Field(bytes: Uint8Array): string {
  const other = Buffer.from(bytes)
  other[0] = ((other[0] ?? 0) ^ 0xff) & 0xff
  if (other.length === 0) return sha256Field(Buffer.from([0]))
  return sha256Field(other)
}
