import { operationContext, uploadIdOf } from '../../tus/context.js'
import type { IetfHandler } from '../context.js'
import { sendFields } from '../respond.js'

/** Cancellation: DELETE ends in-flight appends of the upload (the core's lock asks them to let go) and removes it. */
export const handleCancel: IetfHandler = async (ietf, exchange) => {
  await ietf.core.terminate(uploadIdOf(exchange), operationContext(exchange, 'ietf'))
  sendFields(exchange.res, 204, {})
}
