import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { UploadCore } from '../upload/core.js'
import type { OperationContext, RequestInfo } from '../upload/types.js'
import type { Target } from './routing.js'

/** What every tus handler works with. */
export interface TusContext {
  readonly core: UploadCore
  readonly config: Pick<Config, 'basePath' | 'trustProxy' | 'maxSize'>
  readonly logger: Logger
  /** Tus-Extension of this server, derived from the store's capabilities (extensions.ts). */
  readonly extensions: readonly string[]
}

/** One tus request, as every handler receives it. */
export interface TusExchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly target: Target
}

/** Every tus method handler has this one signature (dispatch.ts picks one per method). */
export type TusHandler = (tus: TusContext, exchange: TusExchange) => Promise<void>

/** The upload id a handler on an upload URL works on (dispatch.ts routes only those to it). */
export function uploadIdOf(exchange: TusExchange): string {
  if (exchange.target.kind !== 'upload') throw new Error('handler routed without an upload id')
  return exchange.target.id
}

/**
 * The core's view of the request, with a signal that aborts when the client goes away before its
 * response is complete (e.g. while waiting for a lock). The signal is made when an operation first
 * asks for it: a download never does, and an AbortController with its 'close' listener cost ~10 µs
 * of CPU per request.
 */
export function operationContext(
  { req, res }: Pick<TusExchange, 'req' | 'res'>,
  protocol = 'tus',
): OperationContext {
  let signal: AbortSignal | undefined
  return {
    request: requestInfo(req),
    protocol,
    get signal() {
      signal ??= clientGoneSignal(res)
      return signal
    },
  }
}

function clientGoneSignal(res: ServerResponse): AbortSignal {
  const gone = () => new Error('client went away')
  // Already cut: the response was destroyed before it finished ('close' may be still to come).
  if (res.destroyed && !res.writableFinished) return AbortSignal.abort(gone())
  const controller = new AbortController()
  if (!res.writableFinished) {
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(gone())
    })
  }
  return controller.signal
}

/** The request as the upload core and its seams see it (protocol-neutral). */
export function requestInfo(req: IncomingMessage): RequestInfo {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    remoteAddress: req.socket.remoteAddress,
    headers: req.headers,
  }
}
