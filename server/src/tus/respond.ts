import type { IncomingMessage, ServerResponse } from 'node:http'
import { noteErrorCode, toTuskError } from '../failures.js'
import type { Logger } from '../log.js'
import { TUS_VERSION } from './constants.js'

/**
 * Writes a tus error response: the body starts with the error's code (`ERR_OFFSET_MISMATCH: ...`),
 * text/plain, with Tus-Resumable and no caching; HEAD responses carry no body.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void {
  const tuskError = toTuskError(error, logger, req)
  noteErrorCode(res, tuskError.code)
  if (res.headersSent) {
    // Too late for a status: the only honest signal left is to cut the connection.
    res.destroy()
    return
  }
  const body = req.method === 'HEAD' ? '' : `${tuskError.code}: ${tuskError.message}\n`
  res.statusCode = tuskError.status
  res.setHeader('Tus-Resumable', TUS_VERSION)
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', String(Buffer.byteLength(body)))
  for (const [name, value] of Object.entries(tuskError.headers)) res.setHeader(name, value)
  // A refused request whose body was not read (413, 460 on a chunked body, ...): close the
  // connection rather than read the rest of it just to keep the connection alive.
  if (!req.complete) res.setHeader('Connection', 'close')
  res.end(body)
}

/** Writes a successful tus response without a body (201, 204, 200 for HEAD). */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | undefined>,
): void {
  res.statusCode = status
  res.setHeader('Tus-Resumable', TUS_VERSION)
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value)
  // Without a length Node closes the connection after a bodiless 200/201; keep it alive.
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', '0')
  res.end()
}
