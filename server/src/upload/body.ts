import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { type DataStore, StreamLimiter } from '@tus/utils'
import { ERR } from '../errors.js'

/**
 * The request body as one stream that enforces the byte limit and can be stopped without
 * destroying the request, so that an answer (413, 460, ...) can still be sent on the connection.
 * When `signal` aborts or the client goes away, it either ends (`end`: keep what came, as
 * @tus/server does) or fails with the reason (`fail`: a staged chunk that did not arrive whole is
 * discarded). More than `limit` bytes fail it with 413.
 *
 * One stream fed by the request's 'data' events, where there used to be a PassThrough, a
 * StreamLimiter and `pipeline`: every chunk of every upload passes here, and each stream hop costs
 * CPU per chunk (issue 16: 3,000 uploads trickling 1 KiB chunks). It is a StreamLimiter (whose
 * Transform side is never written to) so that stores reading the limit from one (the S3 store
 * sizes its last part by it) still can.
 */
export class RequestBody extends StreamLimiter {
  #received = 0
  #observer: ((chunk: Buffer) => void) | undefined
  readonly #req: IncomingMessage
  readonly #signal: AbortSignal
  readonly #onStop: 'end' | 'fail'
  readonly #limit: number
  readonly #on: { close(): void; error(): void; abort(): void; data(c: Buffer): void; end(): void }

  constructor(req: IncomingMessage, signal: AbortSignal, onStop: 'end' | 'fail', limit: number) {
    super(limit)
    this.#req = req
    this.#signal = signal
    this.#onStop = onStop
    this.#limit = limit
    this.#on = {
      data: (chunk) => this.#accept(chunk),
      end: () => this.push(null),
      close: () => {
        if (!req.complete) this.#stop(ERR.ABORTED('the client closed the connection'))
      },
      error: () => this.#stop(ERR.ABORTED('the request failed')),
      abort: () => this.#stop(signal.reason ?? ERR.ABORTED()),
    }
    const on = this.#on
    req.once('close', on.close)
    req.once('error', on.error)
    signal.addEventListener('abort', on.abort, { once: true })
    if (signal.aborted) on.abort()
    else {
      req.on('data', on.data)
      req.once('end', on.end)
    }
  }

  #accept(chunk: Buffer): void {
    this.#received += chunk.length
    if (this.#received > this.#limit) {
      this.detach()
      this.destroy(ERR.TOO_LARGE('the body is larger than the upload'))
      return
    }
    this.#observer?.(chunk)
    if (!this.push(chunk)) this.#req.pause()
  }

  /** Sees every chunk as it is accepted (a running digest), without taking it from the reader. */
  observe(observer: (chunk: Buffer) => void): void {
    this.#observer = observer
  }

  override _read(): void {
    if (!this.readableEnded && !this.destroyed) this.#req.resume()
  }

  #stop(error: Error): void {
    this.detach()
    if (this.destroyed || this.readableEnded) return
    if (this.#onStop === 'end') {
      // Keep every byte this process already holds: what waits in the request's own buffer (at most
      // its high-water mark) goes in before the end.
      for (let chunk = this.#req.read(); chunk !== null; chunk = this.#req.read())
        this.#accept(chunk as Buffer)
      if (!this.destroyed) this.push(null)
    } else this.destroy(error)
  }

  /** Stops listening to the request (which stays usable for the response). */
  detach(): void {
    const req = this.#req
    const signal = this.#signal
    const on = this.#on
    req.off('data', on.data)
    req.off('end', on.end)
    req.off('close', on.close)
    req.off('error', on.error)
    signal.removeEventListener('abort', on.abort)
    if (!req.complete) req.pause()
  }
}

/** Plain body → store, as @tus/server writes it: keeps what arrived if stopped; returns new offset. */
export function writeBody(
  req: IncomingMessage,
  datastore: DataStore,
  target: { id: string; offset: number; limit: number },
  signal: AbortSignal,
): Promise<number> {
  return withRequestBody(req, target.limit, signal, (body) => datastore.write(body, target.id, target.offset))
}

/** Runs `write` over the request body (limited, ended when stopped) and detaches it afterwards. */
export async function withRequestBody(
  req: IncomingMessage,
  limit: number,
  signal: AbortSignal,
  write: (body: Readable) => Promise<number>,
): Promise<number> {
  const body = new RequestBody(req, signal, 'end', limit)
  try {
    return await write(body as unknown as Readable)
  } finally {
    body.detach()
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
