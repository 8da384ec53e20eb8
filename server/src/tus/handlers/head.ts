import { offsetReadFailure } from '../../failures.js'
import { expiresAt } from '../../model/expiry.js'
import { concatOf, isComplete, isFinal } from '../../model/record.js'
import { operationContext, type TusHandler, uploadIdOf } from '../context.js'
import { metadataHeader } from '../metadata.js'
import { sendEmpty } from '../respond.js'

/** HEAD of an upload: its offset, length, metadata and concatenation, never cached. */
export const handleHead: TusHandler = async (tus, exchange) => {
  let upload: Awaited<ReturnType<typeof tus.core.read>>
  try {
    upload = await tus.core.read(uploadIdOf(exchange), operationContext(exchange))
  } catch (error) {
    // A backend fault answers 423, which tus clients retry, keeping the upload (failures.ts).
    throw offsetReadFailure(error, tus.logger, exchange.req)
  }
  const complete = isComplete(upload)
  sendEmpty(exchange.res, 200, {
    // "The Server MUST prevent the client and/or proxies from caching the response"
    'Cache-Control': 'no-store',
    // "MUST always include the Upload-Offset header" — except a final upload still being assembled:
    // "SHOULD NOT contain the Upload-Offset header unless the concatenation has been successfully finished".
    'Upload-Offset': isFinal(upload) && !complete ? undefined : String(upload.offset),
    'Upload-Length': upload.size === undefined ? undefined : String(upload.size),
    'Upload-Defer-Length': upload.size === undefined ? '1' : undefined,
    // "responses to HEAD requests MUST include the Upload-Metadata header and its value as specified
    // by the Client during the creation"
    'Upload-Metadata': metadataHeader(upload),
    // "MUST include the Upload-Concat header and its value as received in the upload creation request"
    'Upload-Concat': concatOf(upload),
    'Upload-Expires': expiresAt(upload, tus.core.expiryPeriod)?.toUTCString(),
  })
}
