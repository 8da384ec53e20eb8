import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type DataStore, StreamLimiter } from '@tus/utils'
import { ERR, TuskError } from '../errors.js'

const isTuskError = (e: unknown) => e instanceof TuskError

/**
 * The request body as a stream that can be stopped without destroying the request, so that an
 * answer (413, 460, ...) can still be sent on the connection. When `signal` aborts or the client
 * goes away, it either ends (`end`: keep what came, as @tus/server does) or fails with the reason
 * (`fail`: a staged chunk that did not arrive whole is discarded).
 */
export function detachableBody(
  req: IncomingMessage,
  signal: AbortSignal,
  onStop: 'end' | 'fail',
): {
  body: PassThrough
  detach(): void
} {
  const body = new PassThrough()
  const stop = (error: Error) => {
    req.unpipe(body)
    if (body.destroyed) return
    if (onStop === 'end') {
      // Keep every byte this process already holds: what waits in the request's own buffer (at most
      // its high-water mark) goes in before the end.
      for (let chunk = req.read(); chunk !== null; chunk = req.read()) body.write(chunk)
      body.end()
    } else body.destroy(error)
  }
  const onClose = () => {
    if (!req.complete) stop(ERR.ABORTED('the client closed the connection'))
  }
  const onError = () => stop(ERR.ABORTED('the request failed'))
  const onAbort = () => stop(signal.reason ?? ERR.ABORTED())
  req.once('close', onClose)
  req.once('error', onError)
  signal.addEventListener('abort', onAbort, { once: true })
  if (signal.aborted) onAbort()
  else req.pipe(body)
  return {
    body,
    detach() {
      req.unpipe(body)
      req.off('close', onClose)
      req.off('error', onError)
      signal.removeEventListener('abort', onAbort)
    },
  }
}

/** Plain body → store, as @tus/server writes it: keeps what arrived if stopped; returns new offset. */
export async function writeBody(
  req: IncomingMessage,
  datastore: DataStore,
  target: { id: string; offset: number; limit: number },
  signal: AbortSignal,
): Promise<number> {
  const { body, detach } = detachableBody(req, signal, 'end')
  try {
    // As in @tus/server: pipeline hands the limiter itself (a Readable) to the last stage.
    return await pipeline(body, new StreamLimiter(target.limit), (limited) =>
      datastore.write(limited as unknown as Readable, target.id, target.offset),
    )
  } catch (error) {
    if (isTuskError(error)) throw error
    if ((error as { status_code?: number }).status_code === 413)
      throw ERR.TOO_LARGE('the body is larger than the upload')
    throw error
  } finally {
    detach()
  }
}

/**
 * How many body bytes a request may carry: at most what is left of the upload (or of the maximum
 * size while the length is deferred). A declared body length beyond that is refused before reading.
 */
export function bodyLimit(
  contentLength: number | undefined,
  upload: { offset: number; size: number | undefined },
  maxSize: number,
): number {
  if (upload.size === undefined) {
    if (contentLength !== undefined && maxSize > 0 && upload.offset + contentLength > maxSize) {
      throw ERR.TOO_LARGE('the body would exceed the maximum upload size')
    }
    return maxSize > 0 ? maxSize - upload.offset : Number.MAX_SAFE_INTEGER
  }
  if (upload.offset + (contentLength ?? 0) > upload.size)
    throw ERR.TOO_LARGE('the body is larger than the rest of the upload')
  return contentLength ?? upload.size - upload.offset
}
