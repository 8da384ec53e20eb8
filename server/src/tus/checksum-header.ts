import type { IncomingMessage } from 'node:http'
import { ERR } from '../errors.js'
import {
  type ChunkVerification,
  DIGEST_ALGORITHMS,
  type ExpectedDigest,
  isDigestAlgorithm,
} from '../upload/checksum/digest.js'

// tus checksum and checksum-trailer extensions, as headers: what the client claims about a chunk.
// Receiving and verifying the chunk is the upload core's (upload/checksum/verified-chunk.ts).

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Parses "Upload-Checksum: <algorithm> <base64 digest>". A malformed value or an algorithm this
 * server does not support answers 400, before any byte of the chunk is read.
 */
export function parseUploadChecksum(value: string): ExpectedDigest {
  const parts = value.trim().split(' ')
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw ERR.INVALID_CHECKSUM('expected "<algorithm> <base64>"')
  const [name, encoded] = parts as [string, string]
  if (!isDigestAlgorithm(name)) {
    throw ERR.CHECKSUM_ALGORITHM(`"${name.slice(0, 20)}" (supported: ${DIGEST_ALGORITHMS.join(',')})`)
  }
  if (!BASE64.test(encoded)) throw ERR.INVALID_CHECKSUM('the checksum is not base64')
  return { algorithm: name, expected: Buffer.from(encoded, 'base64') }
}

// checksum-trailer: "If the hash cannot be calculated at the beginning of the upload, it MAY be
// included as a trailer." A client announces trailer fields with the Trailer request header
// (RFC 9110 section 6.6.2); the field is read once the body has ended (Node's req.trailers).
function announcesChecksumTrailer(req: IncomingMessage): boolean {
  const trailer = req.headers.trailer
  return (
    typeof trailer === 'string' &&
    trailer.split(',').some((name) => name.trim().toLowerCase() === 'upload-checksum')
  )
}

/**
 * How the request's chunk is to be verified, or undefined when it carries no checksum. Only a
 * request that carries data can be verified (`withData`); the header is still checked, so that a
 * malformed one is refused.
 */
export function chunkVerification(req: IncomingMessage): ChunkVerification | undefined {
  const header = req.headers['upload-checksum']
  if (header !== undefined) return { now: parseUploadChecksum(String(header)) }
  if (!announcesChecksumTrailer(req)) return undefined
  return {
    afterBody() {
      const value = req.trailers['upload-checksum']
      if (value === undefined)
        throw ERR.INVALID_CHECKSUM('the announced Upload-Checksum trailer was not sent')
      return parseUploadChecksum(value)
    },
  }
}
