import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough, type Readable, type Writable } from 'node:stream'

// One chunk of a PATCH body on its way to S3 (a multipart part, or the `<id>.part` tail). Its bytes
// always go to a temp file, and, when the body is expected to fill the whole part (its declared
// length says so), also straight into an UploadPart request as they arrive. Streaming overlaps
// receiving a part with sending it: a PATCH of one part used to be received whole into the temp file
// first and only then sent, so S3 PATCHes took about receive + send time. The temp file is what
// keeps a PATCH cut short whole: the streamed request is then aborted (S3 stores nothing of it) and
// the bytes that did arrive are stored from the file, as the tail; and a streamed request that fails
// (sent in one attempt: a consumed stream cannot be sent again) is sent again from the file.

const FILE_BUFFER = 4 * 2 ** 20
const SEND_BUFFER = 2 ** 20

/** Sends a part: `body` delivers exactly `length` bytes; `signal` aborts the request. Resolves to its ETag. */
export type SendPart = (body: Readable, length: number, signal: AbortSignal) => Promise<string | undefined>

/** Writes `data`; when the stream is full, waits for room, its error, or `failed` (when given). */
async function writeTo(stream: Writable, data: Buffer, failed?: Promise<never>): Promise<void> {
  if (stream.write(data)) return
  const drained = new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError)
      resolve()
    }
    const onError = (error: Error) => {
      stream.off('drain', onDrain)
      reject(error)
    }
    stream.once('drain', onDrain)
    stream.once('error', onError)
  })
  await (failed ? Promise.race([drained, failed]) : drained)
}

export class ChunkSink {
  /** Bytes received so far. */
  received = 0
  readonly #path = path.join(tmpdir(), `tusk-s3-chunk-${randomUUID()}`)
  readonly #file: WriteStream
  readonly #stream:
    | { body: PassThrough; abort: AbortController; sent: Promise<string | undefined> }
    | undefined
  // Settles (rejects) only if the streamed request fails: a write waiting for room gives up then.
  readonly #failed: Promise<never>

  /**
   * @param expected the chunk's length if whole (a part's size, or what is left of the upload)
   * @param send set to stream the chunk to S3 while it arrives (the body is expected to fill it)
   */
  constructor(
    readonly start: number,
    readonly expected: number,
    send?: SendPart,
  ) {
    // Buffers big enough that a socket chunk rarely waits for the disk or the S3 socket to drain:
    // waiting at the default 16 KiB made every 64 KiB chunk a round trip through the thread pool.
    this.#file = createWriteStream(this.#path, { highWaterMark: FILE_BUFFER })
    // Errors surface through finishFile(); this keeps an early one from being unhandled.
    this.#file.on('error', () => {})
    if (send) {
      const body = new PassThrough({ highWaterMark: SEND_BUFFER })
      // A request that failed may leave it destroyed under a write; the failure is reported by `sent`.
      body.on('error', () => {})
      const abort = new AbortController()
      const sent = send(body, expected, abort.signal)
      this.#stream = { body, abort, sent }
      this.#failed = sent.then(
        () => new Promise<never>(() => {}),
        (error: unknown) => {
          this.#sendFailed = true
          throw error
        },
      )
    } else {
      this.#failed = new Promise<never>(() => {})
    }
    this.#failed.catch(() => {})
  }

  get streaming(): boolean {
    return this.#stream !== undefined
  }

  get full(): boolean {
    return this.received === this.expected
  }

  async write(data: Buffer): Promise<void> {
    this.received += data.length
    const file = writeTo(this.#file, data)
    // Once the streamed request failed, the bytes only go to the file (finishStream() reports the
    // failure; the part is then sent again from the file).
    const sending =
      this.#stream && !this.#sendFailed ? writeTo(this.#stream.body, data, this.#failed) : undefined
    await Promise.all([file, sending?.catch(() => {})])
  }

  #sendFailed = false

  /** The streamed part, once its last byte is in: resolves when S3 has stored it, rejects if it was not. */
  async finishStream(): Promise<string | undefined> {
    if (!this.#stream) throw new Error('this chunk is not streamed')
    this.#stream.body.end()
    return this.#stream.sent
  }

  /** Stops the streamed request (the chunk fell short of a part); S3 keeps nothing of it. */
  abortStream(): void {
    if (!this.#stream) return
    this.#stream.sent.catch(() => {})
    this.#stream.abort.abort(new Error('the chunk fell short of a part'))
    this.#stream.body.destroy()
  }

  /** The received bytes, from the temp file, once it is written. */
  async openFile(): Promise<Readable> {
    if (!this.#file.writableFinished) {
      await new Promise<void>((resolve, reject) => {
        this.#file.once('error', reject)
        this.#file.end(() => resolve())
      })
    }
    return createReadStream(this.#path)
  }

  async discard(): Promise<void> {
    this.#file.destroy()
    await rm(this.#path, { force: true }).catch(() => {})
  }
}
