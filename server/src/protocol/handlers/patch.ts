import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DataStore, Upload } from '@tus/utils'
import { ERR } from '../../errors.js'
import { bodyLimit, writeBody } from '../body.js'
import { type ExpectedChecksum, parseUploadChecksum } from '../checksum.js'
import { clientGone, type ProtocolContext } from '../context.js'
import { expiresAt, isExpired } from '../expiry.js'
import { lockUploads } from '../lock.js'
import { sendEmpty } from '../respond.js'
import { announcesChecksumTrailer } from '../trailer.js'
import { isFinal } from '../upload-record.js'
import { receiveVerifiedChunk } from '../verified-chunk.js'

/**
 * PATCH: "apply the bytes contained in the message at the given offset specified by the
 * Upload-Offset header" and answer 204 with the new offset.
 *
 * A plain PATCH is the hot path (every uploaded byte passes here): the body streams from the socket
 * through a length limiter into the store, nothing buffered beyond stream windows. If the client goes
 * away, or another request (a client that reconnected) asks for the lock, the body ends there and
 * what arrived is kept: "The Server SHOULD always attempt to store as much of the received data as
 * possible."
 *
 * With Upload-Checksum (header or announced trailer): "Once the entire request has been received,
 * the Server MUST verify the uploaded chunk against the provided checksum ... 460 Checksum Mismatch
 * if the checksums mismatch ... In the first two cases the uploaded chunk MUST be discarded, and the
 * upload and its offset MUST NOT be updated." The chunk is staged in a file while it is hashed and
 * written to the store only once it has been verified.
 */
export async function patchUpload(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const { datastore } = ctx.store
  const header = req.headers['upload-checksum']
  const verify = header !== undefined || announcesChecksumTrailer(req)
  // A bad header or an unknown algorithm is answered before a byte is read (400).
  const announced = header === undefined ? undefined : parseUploadChecksum(String(header))
  const offset = Number(req.headers['upload-offset'])

  const gone = clientGone(res)
  // Another request wanting this upload (typically its client, reconnected after this connection
  // went quiet) stops this one, LOCK_DRAIN_MS after asking, as @tus/server does: a PATCH that is
  // really flowing usually finishes in that time, a dead one is cut. A plain body ends there (its
  // bytes are kept); a chunk to verify is then incomplete, so it is discarded.
  const receiving = new AbortController()
  gone.signal.addEventListener('abort', () => receiving.abort(gone.signal.reason), { once: true })
  let drain: NodeJS.Timeout | undefined
  const locks = await lockUploads(ctx.locker, [id], gone.signal, () => {
    drain ??= setTimeout(
      () => receiving.abort(ERR.ABORTED('another request took over this upload')),
      LOCK_DRAIN_MS,
    )
  })
  let upload: Upload
  try {
    upload = await datastore.getUpload(id)
    if (isExpired(upload, datastore)) throw ERR.GONE()
    // "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload URL"
    if (isFinal(upload)) throw ERR.FINAL_UPLOAD()
    // "If the offsets do not match, the Server MUST respond with the 409 Conflict status without
    // modifying the upload resource."
    if (upload.offset !== offset) {
      throw ERR.OFFSET_CONFLICT(`upload is at ${upload.offset}, request says ${offset}`)
    }
    const declared = declaredLength(
      req,
      upload,
      ctx.config.maxSize,
      datastore.hasExtension('creation-defer-length'),
    )
    const limit = bodyLimit(req, { offset, size: declared ?? upload.size }, ctx.config.maxSize)
    if (verify) {
      await appendVerified(ctx, req, upload, { declared, limit, announced, signal: receiving.signal })
    } else {
      if (declared !== undefined) {
        await datastore.declareUploadLength(id, declared)
        upload.size = declared
      }
      upload.offset = await writeBody(req, datastore, { id, offset, limit }, receiving.signal)
    }
  } finally {
    clearTimeout(drain)
    await locks.release()
  }
  sendEmpty(res, 204, {
    'Upload-Offset': String(upload.offset),
    // "This header MUST be included in every PATCH response if the upload is going to expire."
    'Upload-Expires': expiresAt(upload, datastore)?.toUTCString(),
  })
}

/** How long a PATCH may go on once another request has asked for its lock (@tus/server: 3 s). */
const LOCK_DRAIN_MS = 3_000

/** Receives and verifies the chunk, and only then declares the length and appends the bytes. */
async function appendVerified(
  ctx: ProtocolContext,
  req: IncomingMessage,
  upload: Upload,
  options: { declared?: number; limit: number; announced: ExpectedChecksum | undefined; signal: AbortSignal },
): Promise<void> {
  const datastore: DataStore = ctx.store.datastore
  const staged = await receiveVerifiedChunk(ctx, req, options)
  try {
    // Verified: now, and only now, the upload changes.
    if (options.declared !== undefined) {
      await datastore.declareUploadLength(upload.id, options.declared)
      upload.size = options.declared
    }
    if (staged.size > 0) upload.offset = await datastore.write(staged.open(), upload.id, upload.offset)
  } finally {
    await staged.discard()
  }
}

/** Upload-Length on a PATCH declares a deferred length (creation-defer-length); validated here. */
function declaredLength(
  req: IncomingMessage,
  upload: { offset: number; size?: number },
  maxSize: number,
  deferSupported: boolean,
): number | undefined {
  const header = req.headers['upload-length']
  if (header === undefined) return undefined
  const size = Number(header)
  if (!deferSupported) throw ERR.INVALID_LENGTH('this store does not support deferred lengths')
  // "Once set the length MUST NOT be changed."
  if (upload.size !== undefined) throw ERR.INVALID_LENGTH('the length is already set')
  if (size < upload.offset) throw ERR.INVALID_LENGTH('the length is smaller than the offset')
  if (maxSize > 0 && size > maxSize) throw ERR.TOO_LARGE()
  return size
}
