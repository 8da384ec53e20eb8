import { createReadStream, ReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import type { FileReader, FileSource, SliceResult } from 'tus-js-client'

/** A file on disk, or a byte range of one: read lazily, one chunk-sized stream per request. */
export class PathInput {
  constructor(
    readonly path: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

type SizedStream = ReadStream & { size: number; [SLICE]?: true }

/** Marks the read streams this module creates for slices (as opposed to a caller's own ReadStream). */
const SLICE = Symbol('tusk.slice')

/**
 * Serves slices of a file as fresh read streams over exactly that byte range, so the file is never
 * held in memory and a retry can re-read any range. The slice body keeps `path`, `start`, `end`,
 * which lets a checksum be computed by reading the range once more, and lets a parallel partial
 * upload re-open its slice as a PathSource of its own.
 */
class PathSource implements FileSource {
  readonly size: number

  constructor(private readonly input: PathInput) {
    this.size = input.end - input.start
  }

  async slice(start: number, end: number): Promise<SliceResult> {
    const from = this.input.start + start
    const to = Math.min(this.input.start + end, this.input.end)
    if (to <= from) return { value: Object.assign(Buffer.alloc(0), { size: 0 }), done: true }
    const stream = createReadStream(this.input.path, { start: from, end: to - 1 }) as SizedStream
    stream.size = to - from
    stream[SLICE] = true
    return { value: stream, done: to >= this.input.end }
  }

  close(): void {}
}

class BufferSource implements FileSource {
  readonly size: number

  constructor(private readonly buffer: Uint8Array) {
    this.size = buffer.byteLength
  }

  async slice(start: number, end: number): Promise<SliceResult> {
    const bytes = Buffer.from(
      this.buffer.buffer,
      this.buffer.byteOffset + start,
      Math.max(0, Math.min(end, this.size) - start),
    )
    return { value: Object.assign(bytes, { size: bytes.length }), done: end >= this.size }
  }

  close(): void {}
}

/**
 * A Readable read once, front to back. The last slice stays buffered so a failed request can be
 * resent from the server's offset; one stream chunk is read ahead so the final slice is known to be
 * final (a deferred-length upload sends its Upload-Length with it).
 */
class StreamSource implements FileSource {
  readonly size = null as unknown as number
  private buffer: Buffer = Buffer.alloc(0)
  private position = 0
  private ended = false
  private readonly chunks: AsyncIterator<Buffer | string>

  constructor(stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]()
  }

  async slice(start: number, end: number): Promise<SliceResult> {
    if (start < this.position || start > this.position + this.buffer.length) {
      throw new Error(
        `cannot re-read a stream at byte ${start}: only bytes from ${this.position} are buffered`,
      )
    }
    this.buffer = this.buffer.subarray(start - this.position)
    this.position = start
    const want = end - start
    while (!this.ended && this.buffer.length <= want) {
      const next = await this.chunks.next()
      if (next.done) this.ended = true
      else this.buffer = Buffer.concat([this.buffer, Buffer.from(next.value)])
    }
    const value = Buffer.from(this.buffer.subarray(0, want))
    return {
      value: Object.assign(value, { size: value.length }),
      done: this.ended && this.buffer.length <= want,
    }
  }

  close(): void {
    void this.chunks.return?.()
  }
}

/** tus-js-client FileReader for Node: file paths, Buffers/Uint8Arrays and Readable streams. */
export class NodeFileReader implements FileReader {
  async openFile(input: unknown, _chunkSize: number): Promise<FileSource> {
    if (input instanceof PathInput) return new PathSource(input)
    // A slice handed to a parallel partial upload: re-open its byte range from the file.
    if (input instanceof ReadStream && (input as SizedStream)[SLICE] && typeof input.path === 'string') {
      const start = (input as ReadStream & { start?: number }).start ?? 0
      const end = start + (input as SizedStream).size
      input.destroy()
      return new PathSource(new PathInput(input.path, start, end))
    }
    if (input instanceof Uint8Array) return new BufferSource(input)
    if (input instanceof Readable) return new StreamSource(input)
    throw new Error('the source must be a file path, a Buffer/Uint8Array or a Readable stream')
  }
}
