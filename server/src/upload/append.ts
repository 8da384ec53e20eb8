import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { grantedMaxSize, isComplete, isFinal, isPartial } from '../model/record.js'
import { assembleWaitingFinals } from './assemble-pending.js'
import { bodyLimit, writeBody } from './body.js'
import { appendVerifiedInPlace, receiveVerifiedChunk } from './checksum/verified-chunk.js'
import { effectiveMaxSize } from './create.js'
import { declare, declareEnd } from './declare-length.js'
import { accessibleUpload, authorizeBeforeLock, type CoreDeps } from './deps.js'
import { finishWithHooks, holdFinish } from './finish-hooks.js'
import { lockUploads } from './locks.js'
import { verifyRepresentation } from './representation-digest.js'
import type { AppendInput, HeldFinish, OperationContext } from './types.js'

/** How long an append may go on once another request has asked for its lock (@tus/server: 3 s). */
const LOCK_DRAIN_MS = 3_000

/**
 * Appends bytes at the upload's offset: the hot path (every uploaded byte passes here). The body
 * streams from the socket through a length limiter into the store, nothing buffered beyond stream
 * windows; the length is enforced while streaming. If the client goes away, what arrived is kept:
 * "The Server SHOULD always attempt to store as much of the received data as possible."
 *
 * With a verification, the chunk is staged and verified first, and only then does the upload change
 * (its declared length and its offset): a chunk that fails is discarded whole.
 */
export async function appendToUpload(
  deps: CoreDeps,
  input: AppendInput,
  ctx: OperationContext,
): Promise<Upload> {
  const { datastore } = deps.store
  await authorizeBeforeLock(deps, input.id, 'append', ctx)
  // Another request wanting this upload (typically its client, reconnected after this connection
  // went quiet; or a termination) stops this one LOCK_DRAIN_MS after asking, as @tus/server does: an
  // append that is really flowing usually finishes in that time, a dead one is cut. A plain body ends
  // there (its bytes are kept); a chunk to verify is then incomplete, so it is discarded.
  const receiving = new AbortController()
  ctx.signal.addEventListener('abort', () => receiving.abort(ctx.signal.reason), { once: true })
  let drain: NodeJS.Timeout | undefined
  let takenOver = false
  const locks = await lockUploads(deps.locker, [input.id], ctx.signal, () => {
    drain ??= setTimeout(() => {
      takenOver = true
      receiving.abort(ERR.ABORTED('another request took over this upload'))
    }, LOCK_DRAIN_MS)
  })
  let upload: Upload
  let wasComplete: boolean
  let held: HeldFinish | undefined
  try {
    upload = await accessibleUpload(deps, input.id, 'append', ctx)
    wasComplete = isComplete(upload)
    // "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload URL"
    if (isFinal(upload)) throw ERR.FINAL_UPLOAD()
    // "If the offsets do not match, the Server MUST respond with the 409 Conflict status without
    // modifying the upload resource."
    if (upload.offset !== input.offset) {
      throw ERR.OFFSET_MISMATCH(`the request says ${input.offset}, the upload is at ${upload.offset}`)
    }
    const maxSize = effectiveMaxSize(deps.maxSize, grantedMaxSize(upload))
    const declared = declaredLength(deps, upload, input.declareLength, maxSize)
    const limit = bodyLimit(
      input.body.length,
      { offset: upload.offset, size: declared ?? upload.size },
      maxSize,
    )
    if (!wasComplete) held = await holdFinish(deps, upload, declared ?? upload.size, input.body.length, ctx)
    if (input.verification && deps.store.appendVerified) {
      // Written once, in place, counted only once verified (the store keeps that across a crash).
      upload.offset = await appendVerifiedInPlace(
        { appendVerified: deps.store.appendVerified },
        input.body.stream,
        {
          id: upload.id,
          offset: upload.offset,
          verification: input.verification,
          limit,
          signal: receiving.signal,
        },
      )
      if (declared !== undefined) await declare(deps, upload, declared)
    } else if (input.verification) {
      const staged = await receiveVerifiedChunk(input.body.stream, {
        directory: deps.stagingDirectory,
        verification: input.verification,
        limit,
        signal: receiving.signal,
      })
      try {
        // Verified: now, and only now, the upload changes.
        if (declared !== undefined) await declare(deps, upload, declared)
        if (staged.size > 0) upload.offset = await datastore.write(staged.open(), upload.id, upload.offset)
      } finally {
        await staged.discard()
      }
    } else {
      if (declared !== undefined) await declare(deps, upload, declared)
      upload.offset = await writeBody(
        input.body.stream,
        datastore,
        { id: upload.id, offset: upload.offset, limit },
        receiving.signal,
      )
    }
    // The last request, without a length: the upload is as long as what its body carried, if it all came.
    if (input.lengthFromBody && upload.size === undefined && input.body.stream.complete && !takenOver) {
      if (!deps.capabilities.deferLength)
        throw ERR.INVALID_LENGTH('this store does not support deferred lengths')
      await declareEnd(deps, upload)
    }
    // Checked under the lock, so nobody reads the upload as complete before it is verified.
    if (!wasComplete && isComplete(upload)) await verifyRepresentation(deps, upload, ctx, input.offset)
  } catch (error) {
    held?.drop()
    throw error
  } finally {
    clearTimeout(drain)
    await locks.release()
  }
  try {
    // Cut short for another request (a termination, another client): what arrived is stored, but the
    // request did not do what it asked, and the upload may be gone by the time an answer arrives.
    if (takenOver && !input.body.stream.complete) throw ERR.TAKEN_OVER()
    await deps.events.progress?.(upload, ctx.request)
    if (!wasComplete && isComplete(upload)) {
      try {
        await finishWithHooks(deps, upload, ctx, held)
      } finally {
        // A finished partial may be the last one a final upload waited for (concatenation-unfinished).
        // Failing to assemble a final is not this append's failure (see there); only its pre-finish
        // hook's failure is this request's answer, as for the partial's own.
        if (isPartial(upload)) await assembleWaitingFinals(deps, upload.id, ctx)
      }
    }
  } finally {
    held?.drop() // nothing once released: the upload did not finish
  }
  return upload
}

/** A length declared by an append, for an upload created without one; validated here. */
function declaredLength(
  deps: CoreDeps,
  upload: Upload,
  size: number | undefined,
  maxSize: number,
): number | undefined {
  if (size === undefined) return undefined
  if (!deps.capabilities.deferLength) throw ERR.INVALID_LENGTH('this store does not support deferred lengths')
  // "Once set the length MUST NOT be changed."
  if (upload.size !== undefined) throw ERR.INVALID_LENGTH('the length is already set')
  if (size < upload.offset) throw ERR.INVALID_LENGTH('the length is smaller than the offset')
  if (maxSize > 0 && size > maxSize) throw ERR.TOO_LARGE()
  return size
}
