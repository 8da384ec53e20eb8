import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Context } from 'koa'
import { errorCodeOf } from '../failures.js'
import type { Logger } from '../log.js'

/**
 * Sees every request once its response is done or its client went away (metrics): `ms` is the time
 * since the request reached the host.
 */
export type RequestObserver = (req: IncomingMessage, res: ServerResponse, ms: number) => void

let sequence = 0
const prefix = `${process.pid.toString(36)}-`
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/
// On the request itself rather than in a WeakMap: a WeakMap entry per request is an ephemeron every
// young-generation collection has to trace.
const REQUEST_ID = Symbol('tusk.requestId')
type WithRequestId = IncomingMessage & { [REQUEST_ID]?: string }

/** Bytes a socket had moved when its previous request ended. */
interface SocketTally {
  read: number
  written: number
}
const tallies = new WeakMap<Socket, SocketTally>()

/** The X-Request-Id the host gave a request (the client's own when valid). */
export const requestIdOf = (req: IncomingMessage): string | undefined => (req as WithRequestId)[REQUEST_ID]

/**
 * One structured line per request, written when the response is done or the client went away:
 * request id, method, path, status, bytes in/out (as counted on the socket, headers included),
 * duration and the upload id when there is one. The observers run on the same 'close' event.
 * Call it first thing for every request (plain node:http, before any framework).
 */
export function requestLog(
  logger: Logger,
  basePath: string,
  observers: readonly RequestObserver[] = [],
): (req: IncomingMessage, res: ServerResponse) => void {
  const uploadPrefix = `${basePath === '/' ? '' : basePath}/`
  const uploadIdOf = (path: string, res: ServerResponse): string | undefined => {
    if (path.length > uploadPrefix.length && path.startsWith(uploadPrefix)) {
      return path.slice(uploadPrefix.length)
    }
    const location = res.getHeader('location')
    return typeof location === 'string'
      ? location.slice(location.lastIndexOf('/') + 1) || undefined
      : undefined
  }
  return (req, res) => {
    const started = performance.now()
    const incoming = req.headers['x-request-id']
    const id =
      typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming)
        ? incoming
        : `${prefix}${(++sequence).toString(36)}`
    ;(req as WithRequestId)[REQUEST_ID] = id
    res.setHeader('X-Request-Id', id)
    res.once('close', () => {
      const ms = performance.now() - started
      const url = req.url ?? ''
      const query = url.indexOf('?')
      const path = query === -1 ? url : url.slice(0, query)
      // Bytes moved on the connection since its previous request ended: this request's headers and
      // body in, its response out. (Node reads a small body together with the headers, before any
      // handler runs, so a snapshot taken when the request starts would miss it.)
      const socket = req.socket
      const read = socket.bytesRead
      const written = socket.bytesWritten
      let tally = tallies.get(socket)
      const bytesIn = read - (tally?.read ?? 0)
      const bytesOut = written - (tally?.written ?? 0)
      if (tally) {
        tally.read = read
        tally.written = written
      } else {
        tally = { read, written }
        tallies.set(socket, tally)
      }
      const aborted = !res.writableFinished
      const line = {
        reqId: id,
        method: req.method,
        path,
        status: res.statusCode,
        // The error table's code of an error answer (ERR_OFFSET_MISMATCH, ...), for searching logs.
        code: errorCodeOf(res),
        bytesIn,
        bytesOut,
        ms: Math.round(ms * 10) / 10,
        uploadId: uploadIdOf(path, res),
        aborted: aborted || undefined,
      }
      // A client that hangs up mid-request is ordinary (a closed laptop, a cancelled upload): info,
      // with the bytes it sent, whatever status had been set before it left.
      if (res.statusCode >= 500 && !aborted) logger.error(line, 'request')
      else logger.info(line, 'request')
      for (const observe of observers) observe(req, res, ms)
    })
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
 * The host's errors (Koa's 'error' events, a failure of the tus path): a client hanging up is not a
 * server error (its request line, at info, says "aborted" with the bytes it sent), anything else is.
 */
export function logHostError(logger: Logger) {
  return (error: unknown, ctx?: Pick<Context, 'req'>) => {
    const reqId = ctx ? requestIdOf(ctx.req) : undefined
    if (isClientHangUp(error)) {
      logger.debug({ reqId, code: (error as NodeJS.ErrnoException).code }, 'client hung up')
    } else {
      logger.error({ err: error, reqId }, 'host error')
    }
  }
}
