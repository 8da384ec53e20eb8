import { createHash } from 'node:crypto'
import { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { reprDigestOf } from '../model/record.js'
import type { CoreDeps } from './deps.js'
import type { OperationContext } from './types.js'

// Digests of a whole upload (RFC 9530 Repr-Digest, sent by the draft protocol's creation), checked
// once the upload is complete. A running hash cannot follow an upload cheaply: its bytes arrive over
// many requests, possibly to different processes, and Node cannot save a hash's inner state. So the
// digests are recorded with the upload (its metadata record) and, when the last byte is stored, the
// whole upload is read back from the store and hashed: one extra read of the upload (a local file
// read for the file store, a full GET of the object for S3) and the hashing, paid only by uploads
// that sent Repr-Digest, once, at completion.

export type RepresentationAlgorithm = 'sha256' | 'sha512'

/** The digests a client claimed for the whole upload, by algorithm. */
export type RepresentationDigests = ReadonlyMap<RepresentationAlgorithm, Buffer>

/** As kept in the upload's metadata record: "sha256:<base64>,sha512:<base64>". */
export function encodeRepresentationDigests(digests: RepresentationDigests): string | undefined {
  if (digests.size === 0) return undefined
  return [...digests].map(([algorithm, value]) => `${algorithm}:${value.toString('base64')}`).join(',')
}

export function representationDigestsOf(upload: Pick<Upload, 'metadata'>): RepresentationDigests | undefined {
  const encoded = reprDigestOf(upload)
  if (!encoded) return undefined
  const digests = new Map<RepresentationAlgorithm, Buffer>()
  for (const entry of encoded.split(',')) {
    const [algorithm, value] = entry.split(':')
    if ((algorithm === 'sha256' || algorithm === 'sha512') && value) {
      digests.set(algorithm, Buffer.from(value, 'base64'))
    }
  }
  return digests.size > 0 ? digests : undefined
}

/**
 * Checks a just-completed upload against the Repr-Digest it was created with (nothing to do without
 * one). On a mismatch the upload is deleted, since no part of it can be trusted and it has no bytes
 * left to resume with, and the request answers 400 ERR_REPR_DIGEST_MISMATCH: it is never finished
 * (no pre-finish hook, no finished event, no download). The event sink is told it was terminated,
 * as it stood before this request (`acknowledged` bytes, unfinished), so hooks and metrics agree.
 */
export async function verifyRepresentation(
  deps: CoreDeps,
  upload: Upload,
  ctx: OperationContext,
  acknowledged: number,
): Promise<void> {
  const expected = representationDigestsOf(upload)
  if (!expected) return
  const hashes = [...expected.keys()].map((algorithm) => [algorithm, createHash(algorithm)] as const)
  const stream = await deps.store.createReadStream(upload.id)
  for await (const chunk of stream) for (const [, hash] of hashes) hash.update(chunk as Buffer)
  const differing = hashes.filter(
    ([algorithm, hash]) => !hash.digest().equals(expected.get(algorithm) as Buffer),
  )
  if (differing.length === 0) return
  // A failed removal is the request's answer instead (a 5xx): the upload must not be called deleted.
  await (deps.store.terminate ? deps.store.terminate(upload.id) : deps.store.datastore.remove(upload.id))
  await deps.events.terminated?.(
    new Upload({
      id: upload.id,
      size: upload.size,
      offset: acknowledged,
      metadata: upload.metadata,
      creation_date: upload.creation_date,
      storage: upload.storage,
    }),
    ctx.request,
  )
  throw ERR.REPR_DIGEST_MISMATCH(`${differing.map(([algorithm]) => algorithm).join(', ')} differs`)
}
