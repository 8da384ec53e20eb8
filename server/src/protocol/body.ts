import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import { PassThrough, type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type DataStore, StreamLimiter } from '@tus/utils'
import { ERR } from '../errors.js'
import { type ChecksumAlgorithm, createDigest, type Digest } from './checksum.js'

const isTusError = (e: unknown) => typeof e === 'object' && e !== null && 'status' in e

/**
 * The request body as a stream that can be stopped without destroying the request, so that an
 * answer (413, 460, ...) can still be sent on the connection. When `signal` aborts or the client
 * goes away, it either ends (`end`: keep what came, as @tus/server does) or fails with the reason
 * (`fail`: a staged chunk that did not arrive whole is discarded).
 */
function detachableBody(
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
    if (isTusError(error)) throw error
    if ((error as { status_code?: number }).status_code === 413)
      throw ERR.TOO_LARGE('the body is larger than the upload')
    throw error
  } finally {
    detach()
  }
}

export interface StagedBody {
  readonly path: string
  readonly size: number
  /** Digest of the staged bytes, computed while they arrived (when an algorithm was given). */
  readonly digest: Buffer | undefined
  /** The staged bytes, for committing them to the store. */
  open(): Readable
  /** Digest of the staged bytes with any algorithm (checksum trailers name theirs only at the end). */
  digestWith(algorithm: ChecksumAlgorithm): Promise<Buffer>
  discard(): Promise<void>
}

const madeDirectories = new Set<string>()
const COMMIT_READ_SIZE = 2 ** 20

/**
 * Receives a body into a temporary file while hashing it, so the chunk can be verified before any
 * byte reaches the upload (memory stays flat whatever the chunk size). Fails, leaving nothing
 * behind, when the body exceeds `limit`, the client goes away or `signal` aborts.
 */
export async function stageBody(
  req: IncomingMessage,
  options: { directory: string; limit: number; algorithm?: ChecksumAlgorithm; signal: AbortSignal },
): Promise<StagedBody> {
  if (!madeDirectories.has(options.directory)) {
    await mkdir(options.directory, { recursive: true })
    madeDirectories.add(options.directory)
  }
  const file = path.join(options.directory, `${randomUUID()}.chunk`)
  const digest: Digest | undefined = options.algorithm ? createDigest(options.algorithm) : undefined
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > options.limit) {
        callback(ERR.TOO_LARGE('the body is larger than the upload'))
        return
      }
      digest?.update(chunk)
      callback(null, chunk)
    },
  })
  const { body, detach } = detachableBody(req, options.signal, 'fail')
  const discard = () => rm(file, { force: true })
  try {
    await pipeline(body, meter, createWriteStream(file))
  } catch (error) {
    await discard()
    throw error
  } finally {
    detach()
  }
  return {
    path: file,
    size,
    digest: digest?.digest(),
    // Large reads: the staged chunk is in the page cache, and fewer, bigger writes commit it faster.
    open: () => createReadStream(file, { highWaterMark: COMMIT_READ_SIZE }),
    async digestWith(algorithm) {
      const again = createDigest(algorithm)
      for await (const chunk of createReadStream(file, { highWaterMark: COMMIT_READ_SIZE }))
        again.update(chunk as Buffer)
      return again.digest()
    },
    discard,
  }
}

/**
 * How many body bytes the request may carry: at most what is left of the upload (or of the maximum
 * size while the length is deferred). A Content-Length beyond that is refused before reading.
 */
export function bodyLimit(
  req: IncomingMessage,
  upload: { offset: number; size: number | undefined },
  maxSize: number,
): number {
  const header = req.headers['content-length']
  const length = header === undefined ? undefined : Number(header)
  if (upload.size === undefined) {
    if (length !== undefined && maxSize > 0 && upload.offset + length > maxSize) {
      throw ERR.TOO_LARGE('the body would exceed the maximum upload size')
    }
    return maxSize > 0 ? maxSize - upload.offset : Number.MAX_SAFE_INTEGER
  }
  if (upload.offset + (length ?? 0) > upload.size)
    throw ERR.TOO_LARGE('the body is larger than the rest of the upload')
  return length ?? upload.size - upload.offset
}
