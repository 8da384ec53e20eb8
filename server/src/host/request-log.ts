import type { Socket } from 'node:net'
import type { Context, Middleware } from 'koa'
import { errorCodeOf } from '../failures.js'
import type { Logger } from '../log.js'

let sequence = 0
const seen = new WeakMap<Socket, { read: number; written: number }>()

/**
 * Bytes moved on the connection since its previous request ended: this request's headers and body
 * in, its response out. (Node reads a small body together with the headers, before any middleware
 * runs, so a snapshot taken when the request starts would miss it.)
 */
function socketBytesSinceLastRequest(socket: Socket) {
  const before = seen.get(socket) ?? { read: 0, written: 0 }
  const now = { read: socket.bytesRead, written: socket.bytesWritten }
  seen.set(socket, now)
  return { bytesIn: now.read - before.read, bytesOut: now.written - before.written }
}
const prefix = `${process.pid.toString(36)}-`
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/

/**
 * One structured line per request, written when the response is done or the client went away:
 * request id, method, path, status, bytes in/out (as counted on the socket, headers included),
 * duration and the upload id when there is one.
 */
export function requestLog(logger: Logger, basePath: string): Middleware {
  const uploadPrefix = `${basePath === '/' ? '' : basePath}/`
  return async (ctx, next) => {
    const started = performance.now()
    const incoming = ctx.get('x-request-id')
    const id = VALID_REQUEST_ID.test(incoming) ? incoming : `${prefix}${(++sequence).toString(36)}`
    ctx.state.requestId = id
    ctx.res.setHeader('X-Request-Id', id)
    const { req, res } = ctx
    const socket = req.socket
    res.once('close', () => {
      const path = (req.url ?? '').split('?', 1)[0] ?? ''
      const location = res.getHeader('location')
      const uploadId =
        path.length > uploadPrefix.length && path.startsWith(uploadPrefix)
          ? path.slice(uploadPrefix.length)
          : typeof location === 'string'
            ? location.slice(location.lastIndexOf('/') + 1)
            : undefined
      const line = {
        reqId: id,
        method: req.method,
        path,
        status: res.statusCode,
        // The error table's code of an error answer (ERR_OFFSET_MISMATCH, ...), for searching logs.
        code: errorCodeOf(res),
        ...socketBytesSinceLastRequest(socket),
        ms: Math.round((performance.now() - started) * 10) / 10,
        uploadId: uploadId || undefined,
        aborted: !res.writableFinished || undefined,
      }
      // A client that hangs up mid-request is ordinary (a closed laptop, a cancelled upload): info,
      // with the bytes it sent, whatever status had been set before it left.
      if (res.statusCode >= 500 && !line.aborted) logger.error(line, 'request')
      else logger.info(line, 'request')
    })
    await next()
  }
}

const HANG_UP_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'])

/** True for the errors a client causes by closing its connection mid-request. */
export function isClientHangUp(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return (
    (code !== undefined && HANG_UP_CODES.has(code)) || (error as Error | undefined)?.message === 'aborted'
  )
}

/**
 * Koa's 'error' events: a client hanging up is not a server error (its request line, at info, says
 * "aborted" with the bytes it sent), anything else is.
 */
export function logHostError(logger: Logger) {
  return (error: unknown, ctx?: Context) => {
    if (isClientHangUp(error)) {
      logger.debug(
        { reqId: ctx?.state.requestId, code: (error as NodeJS.ErrnoException).code },
        'client hung up',
      )
    } else {
      logger.error({ err: error, reqId: ctx?.state.requestId }, 'host error')
    }
  }
}
