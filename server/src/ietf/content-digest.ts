import type { IncomingMessage } from 'node:http'
import type { ChunkVerification, DigestAlgorithm } from '../upload/checksum/digest.js'
import type { RepresentationAlgorithm, RepresentationDigests } from '../upload/representation-digest.js'
import { digestField } from './fields.js'

// RFC 9530 Content-Digest on one request: the bytes of this request's content, verified before they
// count, by the same code as tus checksums. Only the current algorithms (sha-256, sha-512) are read;
// a field naming only others is ignored, as is an invalid one.
const ALGORITHMS: Record<string, DigestAlgorithm> = { 'sha-512': 'sha512', 'sha-256': 'sha256' }

export function contentDigest(req: IncomingMessage): ChunkVerification | undefined {
  const digests = digestField(req, 'content-digest')
  if (!digests) return undefined
  for (const [name, algorithm] of Object.entries(ALGORITHMS)) {
    const expected = digests.get(name)
    if (expected) return { now: { algorithm, expected } }
  }
  return undefined
}

/**
 * RFC 9530 Repr-Digest on creation: the digests of the whole upload, checked when it completes. Every
 * current algorithm sent (sha-256, sha-512) is checked; others are ignored, as RFC 9530 lets a
 * recipient ignore algorithms it does not support (a field naming only those is as if absent).
 */
export function representationDigests(req: IncomingMessage): RepresentationDigests | undefined {
  const digests = digestField(req, 'repr-digest')
  if (!digests) return undefined
  const out = new Map<RepresentationAlgorithm, Buffer>()
  for (const [name, algorithm] of Object.entries(ALGORITHMS)) {
    const expected = digests.get(name)
    if (expected && (algorithm === 'sha256' || algorithm === 'sha512')) out.set(algorithm, expected)
  }
  return out.size > 0 ? out : undefined
}
