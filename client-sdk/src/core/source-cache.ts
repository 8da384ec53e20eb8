import type { FileReader, FileSource } from 'tus-js-client'

/**
 * tus-js-client opens its source once per Upload object, and every retry/resume here uses a fresh
 * Upload object. A stream can only be read once, so the opened source is shared across attempts
 * (it keeps the not-yet-acknowledged chunk buffered). Keyed by input: the slices tus-js-client
 * opens for parallel partial uploads are distinct inputs and are opened normally.
 */
export class CachingFileReader implements FileReader {
  private readonly opened = new WeakMap<object, Promise<FileSource>>()

  constructor(private readonly inner: FileReader) {}

  openFile(input: unknown, chunkSize: number): Promise<FileSource> {
    if (typeof input !== 'object' || input === null) return this.inner.openFile(input, chunkSize)
    let source = this.opened.get(input)
    if (!source) {
      source = this.inner.openFile(input, chunkSize)
      this.opened.set(input, source)
      source.catch(() => this.opened.delete(input))
    }
    return source
  }
}
