import { operationContext, type TusHandler, uploadIdOf } from '../context.js'
import { sendEmpty } from '../respond.js'

/**
 * DELETE (termination): "When receiving a DELETE request for an existing upload the Server SHOULD
 * free associated resources and MUST respond with the 204 No Content status confirming that the
 * upload was terminated. For all future requests to this URL, the Server SHOULD respond with the
 * 404 Not Found or 410 Gone status."
 */
export const handleDelete: TusHandler = async (tus, exchange) => {
  await tus.core.terminate(uploadIdOf(exchange), operationContext(exchange))
  sendEmpty(exchange.res, 204, {})
}
