import { expiresAt } from '../../model/expiry.js'
import { chunkVerification } from '../checksum-header.js'
import { contentLength } from '../constants.js'
import { operationContext, type TusHandler, uploadIdOf } from '../context.js'
import { sendFinishable } from '../finish-response.js'

/**
 * PATCH: "apply the bytes contained in the message at the given offset specified by the
 * Upload-Offset header" and answer 204 with the new offset. With Upload-Checksum (a header, or an
 * announced trailer), the chunk counts only once verified: "the uploaded chunk MUST be discarded,
 * and the upload and its offset MUST NOT be updated" when it fails (460) or names an unknown
 * algorithm (400, before a byte is read). Upload-Length on a PATCH declares a deferred length.
 */
export const handlePatch: TusHandler = async (tus, exchange) => {
  const { req, res } = exchange
  const lengthHeader = req.headers['upload-length']
  const upload = await tus.core.append(
    {
      id: uploadIdOf(exchange),
      // request-checks.ts has checked both to be non-negative integers.
      offset: Number(req.headers['upload-offset']),
      declareLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
      body: { stream: req, length: contentLength(req) },
      verification: chunkVerification(req),
    },
    operationContext(exchange),
  )
  sendFinishable(res, upload, 204, {
    'Upload-Offset': String(upload.offset),
    // "This header MUST be included in every PATCH response if the upload is going to expire."
    'Upload-Expires': expiresAt(upload, tus.core.expiryPeriod)?.toUTCString(),
  })
}
