import { createHash } from 'node:crypto'
import zlib from 'node:zlib'
import { ERR } from '../../errors.js'

// The digests a chunk can be verified with, whatever protocol named them (tus Upload-Checksum;
// later IETF Content-Digest). Pure: no I/O, no protocol. The tus checksum extension: "The Server MUST
// support at least the SHA1 checksum algorithm identified by sha1", listed in Tus-Checksum-Algorithm.
export const DIGEST_ALGORITHMS = ['sha1', 'sha256', 'sha512', 'md5', 'crc32'] as const
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number]

export const isDigestAlgorithm = (name: string): name is DigestAlgorithm =>
  (DIGEST_ALGORITHMS as readonly string[]).includes(name)

/** The digest a client claims for a chunk. */
export interface ExpectedDigest {
  algorithm: DigestAlgorithm
  expected: Buffer
}

/**
 * How a chunk is to be verified: against a digest known before the body (hashed while the bytes
 * arrive), or one that comes after it (an HTTP trailer), read once the body has ended.
 */
export type ChunkVerification = { now: ExpectedDigest } | { afterBody: () => ExpectedDigest }

/** A running digest over a chunk's bytes. */
export interface Digest {
  update(chunk: Buffer): void
  /** The digest bytes; call once, after the last update. */
  digest(): Buffer
}

/** crc32 with Node's zlib.crc32 (Node >= 20.15), answered as 4 big-endian bytes like the hashes. */
function crc32Digest(): Digest {
  let value = 0
  return {
    update(chunk) {
      value = zlib.crc32(chunk, value)
    },
    digest() {
      const out = Buffer.alloc(4)
      out.writeUInt32BE(value >>> 0)
      return out
    },
  }
}

export function createDigest(algorithm: DigestAlgorithm): Digest {
  if (algorithm === 'crc32') return crc32Digest()
  const hash = createHash(algorithm)
  return {
    update: (chunk) => hash.update(chunk),
    digest: () => hash.digest(),
  }
}

/** Throws 460 unless the computed digest is the one the client sent. */
export function verifyDigest(expected: ExpectedDigest, actual: Buffer): void {
  if (!actual.equals(expected.expected)) throw ERR.CHECKSUM_MISMATCH(`${expected.algorithm} differs`)
}
