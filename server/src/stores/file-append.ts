import { close, open, writev } from 'node:fs'
import type { Readable } from 'node:stream'
import { inlineWrites } from './file-inline-write.js'

// While a write is in flight, chunks that arrive wait here; past this many bytes the source is
// paused until the write returns (the stream equivalent of a write stream's high-water mark).
const QUEUE_LIMIT = 64 * 1024

/**
 * Writes what `source` yields into `file` from `offset` on, and resolves with the offset after the
 * last byte written. When the source fails or is destroyed mid-way, every byte it gave before is
 * still written (the client resumes from there), and the promise rejects with the source's error.
 *
 * This is the hot path of every upload, so it is one file descriptor, one positioned `writev` per
 * batch of chunks (inline when small: file-inline-write.ts) and plain callbacks: no write stream, no
 * counting Transform, no `pipeline` (which in Node 20 also aborts an AbortController per call,
 * building a DOMException with a stack). On a 1 KiB upload that is two thread-pool round trips
 * (open, close), one when the creation hands over the descriptor it made the file with.
 */
export function appendToFile(
  source: Readable,
  file: string,
  offset: number,
  /** A descriptor already open on `file` for writing; it is closed when done, like one opened here. */
  openFd?: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let fd: number | undefined
    let opening = true
    let writing = false
    let ended = false
    let settled = false
    let failure: unknown
    let position = offset
    let queue: Buffer[] = []
    let queued = 0

    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      if (buffer.length === 0) return
      queue.push(buffer)
      queued += buffer.length
      if (queued >= QUEUE_LIMIT) source.pause()
      flush()
    }
    const onEnd = () => {
      ended = true
      flush()
    }
    const onError = (error: unknown) => {
      failure ??= error
      flush()
    }
    const onClose = () => {
      if (!ended) onError(prematureClose())
    }
    const detach = () => {
      source.off('data', onData)
      source.off('end', onEnd)
      source.off('error', onError)
      source.off('close', onClose)
    }

    const finish = () => {
      if (settled) return
      settled = true
      detach()
      // The source failed: the bytes already queued are written anyway (they arrived), then it fails.
      const done = (closeError: NodeJS.ErrnoException | null) => {
        if (closeError) failure ??= closeError
        if (failure === undefined) resolve(position)
        else reject(failure)
      }
      if (fd === undefined) done(null)
      else close(fd, done)
    }

    function flush(): void {
      if (settled || opening || writing) return
      if (fd === undefined || queued === 0) {
        if (ended || failure !== undefined || fd === undefined) finish()
        return
      }
      const chunks = queue
      const bytes = queued
      queue = []
      queued = 0
      writing = true
      const afterWrite = (error: NodeJS.ErrnoException | null, written: number) => {
        writing = false
        if (error) {
          // The disk refused (ENOSPC, EIO): stop reading; the cause goes to the caller (507 and co).
          failure ??= error
          queue = []
          queued = 0
          if (!ended) source.destroy()
        } else {
          position += written
          if (written < bytes) requeue(chunks, written)
        }
        if (failure === undefined && !ended && queued < QUEUE_LIMIT) source.resume()
        flush()
      }
      if (!inlineWrites.allows(bytes)) {
        writev(fd, chunks, position, afterWrite)
        return
      }
      let written = 0
      let error: NodeJS.ErrnoException | null = null
      try {
        written = inlineWrites.write(fd, chunks, position)
      } catch (thrown) {
        error = thrown as NodeJS.ErrnoException
      }
      afterWrite(error, written)
    }

    /** A short write (rare on regular files): the unwritten rest goes first in the queue. */
    function requeue(chunks: Buffer[], written: number): void {
      const rest: Buffer[] = []
      let skip = written
      for (const chunk of chunks) {
        if (skip >= chunk.length) {
          skip -= chunk.length
          continue
        }
        rest.push(skip > 0 ? chunk.subarray(skip) : chunk)
        skip = 0
      }
      queue = [...rest, ...queue]
      queued = queue.reduce((sum, chunk) => sum + chunk.length, 0)
    }

    source.on('data', onData)
    source.once('end', onEnd)
    source.on('error', onError)
    source.once('close', onClose)
    if (openFd !== undefined) {
      opening = false
      fd = openFd
      flush()
      return
    }
    open(file, 'r+', (error, descriptor) => {
      opening = false
      if (error) {
        failure ??= error
        source.destroy()
      } else fd = descriptor
      flush()
    })
  })
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })
}
