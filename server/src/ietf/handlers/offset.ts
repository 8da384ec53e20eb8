import { offsetReadFailure } from '../../failures.js'
import { operationContext, uploadIdOf } from '../../tus/context.js'
import { type IetfHandler, stateFields } from '../context.js'
import { sendFields } from '../respond.js'

/**
 * Offset retrieval: HEAD on the upload URL (and GET in interop 9). "MUST carry Upload-Offset,
 * Upload-Complete, Upload-Length if known, Upload-Limit; SHOULD carry Cache-Control: no-store."
 */
export const handleOffset: IetfHandler = async (ietf, exchange) => {
  let upload: Awaited<ReturnType<typeof ietf.core.read>>
  try {
    upload = await ietf.core.read(uploadIdOf(exchange), operationContext(exchange, 'ietf'))
  } catch (error) {
    // A backend fault answers 423, which tus clients retry, keeping the upload (failures.ts).
    throw offsetReadFailure(error, ietf.logger, exchange.req)
  }
  sendFields(exchange.res, 204, {
    ...stateFields(ietf, exchange.version, upload),
    'Cache-Control': 'no-store',
  })
}
