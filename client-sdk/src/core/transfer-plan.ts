// How an upload goes over the wire, decided from the caller's options, what is known about the
// source and what the server announced. Pure: no I/O and no state, so every rule is unit-tested
// on its own (test/transfer-plan.test.ts) and the upload controller only carries the plan out.

import type { ChecksumAlgorithm } from './checksum-algorithms.js'
import { supports } from './discovery.js'
import { TuskUploadError } from './errors.js'
import { type ServerCapabilities, type TransferPlan, UPLOAD_PROTOCOLS, type UploadOptions } from './types.js'

/** Chunk size used when a bounded chunk is needed (checksums, streams) and none was given. */
export const DEFAULT_BOUNDED_CHUNK = 8 * 1024 * 1024

export interface TransferPlanInput {
  options: Pick<
    UploadOptions,
    'checksum' | 'parallelUploads' | 'creationWithUpload' | 'chunkSize' | 'protocol'
  >
  /** The source's size (null: a stream of unknown length) and whether it can only be read once. */
  source: { size: number | null; isStream: boolean }
  capabilities: ServerCapabilities
  /** An earlier upload of the same source being resumed: how many partial uploads it has (1: none). */
  resumedParts: number | null
  /** Whether this platform can compute the algorithm (browsers have no MD5, for one). */
  canDigest: (algorithm: ChecksumAlgorithm) => boolean
}

/**
 * The plan for one upload, or a TuskUploadError when it cannot be done at all: the source exceeds
 * the server's announced maximum, or has no known size and the server cannot defer the length.
 * Options the server does not support are dropped rather than failing (the plan says what was used).
 */
export function planTransfer(input: TransferPlanInput): TransferPlan {
  const { options, source, capabilities: caps, resumedParts } = input
  const protocol = options.protocol ?? 'tus-v1'
  if (!UPLOAD_PROTOCOLS.includes(protocol)) {
    throw new TuskUploadError({
      code: 'unsupported',
      message: `protocol must be one of ${UPLOAD_PROTOCOLS.join(', ')}, not "${String(protocol)}"`,
    })
  }
  // The draft has neither tus's Upload-Checksum nor concatenation: those stay tus v1 features.
  const tus = protocol === 'tus-v1'

  if (source.size !== null && caps.maxSize !== null && source.size > caps.maxSize) {
    throw new TuskUploadError({
      code: 'too_large',
      message: `the upload (${source.size} bytes) exceeds the server's maximum of ${caps.maxSize} bytes`,
    })
  }
  const deferredLength = source.size === null
  // Only a server that answered OPTIONS can be known to lack the extension; otherwise try.
  if (deferredLength && caps.discovered && !supports(caps, 'creation-defer-length')) {
    throw new TuskUploadError({
      code: 'unsupported',
      message: 'the stream has no known size and the server does not support creation-defer-length',
    })
  }

  const checksum =
    tus &&
    options.checksum &&
    supports(caps, 'checksum') &&
    caps.checksumAlgorithms.includes(options.checksum) &&
    input.canDigest(options.checksum)
      ? options.checksum
      : null

  let parallelUploads = Math.max(1, Math.floor(options.parallelUploads ?? 1))
  const canSplit =
    tus &&
    supports(caps, 'concatenation') &&
    !deferredLength &&
    !source.isStream &&
    (source.size ?? 0) >= parallelUploads
  if (!canSplit) parallelUploads = 1
  // A remembered upload decides the shape: resuming beats re-splitting.
  if (resumedParts !== null) parallelUploads = resumedParts

  return {
    protocol,
    checksum,
    parallelUploads,
    creationWithUpload:
      options.creationWithUpload !== false && supports(caps, 'creation-with-upload') && !deferredLength,
    deferredLength,
    chunkSize:
      options.chunkSize ?? (checksum || source.isStream ? DEFAULT_BOUNDED_CHUNK : Number.POSITIVE_INFINITY),
  }
}
