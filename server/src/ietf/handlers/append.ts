import { ERR } from '../../errors.js'
import { isComplete } from '../../model/record.js'
import { mediaType } from '../../tus/constants.js'
import { operationContext, uploadIdOf } from '../../tus/context.js'
import { contentDigest } from '../content-digest.js'
import { type IetfHandler, stateFields } from '../context.js'
import { booleanField, integerField, serializeInteger } from '../fields.js'
import { problem, sendFields } from '../respond.js'
import { PARTIAL_UPLOAD } from '../versions.js'
import { inconsistent } from './create.js'

/**
 * Append: PATCH with Content-Type: application/partial-upload, Upload-Offset and Upload-Complete.
 * A mismatching offset is 409 with the expected one; `?1` ends the upload, and its length must agree
 * with what was declared. An append to a complete upload follows the interop version's rule.
 */
export const handleAppend: IetfHandler = async (ietf, exchange) => {
  const { req, res, version } = exchange
  if (mediaType(req) !== PARTIAL_UPLOAD) throw ERR.MEDIA_TYPE()
  const offset = integerField(req, 'upload-offset')
  if (offset === undefined) throw ERR.INVALID_FIELD('Upload-Offset (an Integer) is required')
  const complete = booleanField(req, 'upload-complete')
  if (complete === undefined) throw ERR.INVALID_FIELD('Upload-Complete (?0 or ?1) is required')
  const id = uploadIdOf(exchange)
  const ctx = operationContext(exchange, 'ietf')
  const state = await ietf.core.read(id, ctx)
  if (isComplete(state)) {
    if (version.completedUpload === 'replay') {
      sendFields(res, 204, stateFields(ietf, version, state))
      return
    }
    if (version.completedUpload === 'gone')
      throw problem(ERR.UPLOAD_COMPLETED(), { headers: { 'Upload-Complete': '?1' } })
    throw ERR.ALREADY_COMPLETE()
  }
  const header = req.headers['content-length']
  const sent = header === undefined ? undefined : Number(header)
  const declared = integerField(req, 'upload-length')
  let declareLength: number | undefined
  const known = state.size ?? declared
  if (state.size !== undefined && declared !== undefined && declared !== state.size)
    throw inconsistent(state.size, declared)
  // Content that would run past the known length disagrees with it: the draft's inconsistent length (400),
  // refused before a byte is read. A chunked body that runs past it is cut at the length (below).
  if (!complete && sent !== undefined && known !== undefined && offset + sent > known)
    throw inconsistent(known, offset + sent)
  if (complete) {
    if (sent !== undefined) {
      if (known !== undefined && known !== offset + sent) throw inconsistent(known, offset + sent)
      if (state.size === undefined) declareLength = offset + sent
    } else if (state.size === undefined && known !== undefined) declareLength = known
  } else if (state.size === undefined && declared !== undefined) {
    declareLength = declared
  }
  let upload: typeof state
  try {
    upload = await ietf.core.append(
      {
        id,
        offset,
        declareLength,
        body: { stream: req, length: sent },
        verification: contentDigest(req),
        // ?1 with no length anywhere (a chunked body): the upload ends where this body ends.
        lengthFromBody: complete && known === undefined && sent === undefined,
      },
      ctx,
    )
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_OFFSET_MISMATCH') {
      const current = await ietf.core.read(id, ctx).catch(() => state)
      throw problem(error as Error, {
        members: { 'expected-offset': current.offset, 'provided-offset': offset },
        headers: { 'Upload-Complete': '?0', 'Upload-Offset': serializeInteger(current.offset) },
      })
    }
    // With a known length, the only limit a body can exceed is that length (it is never above max-size).
    if ((error as { code?: string }).code === 'ERR_TOO_LARGE' && known !== undefined) {
      const current = await ietf.core.read(id, ctx).catch(() => state)
      throw inconsistent(known, Math.max(known + 1, current.offset))
    }
    throw error
  }
  // "?1" whose content did not all arrive: what came is kept, and the upload is not complete.
  if (complete && !isComplete(upload) && req.complete)
    throw inconsistent(upload.size ?? offset, upload.offset)
  sendFields(res, 204, stateFields(ietf, version, upload))
}
