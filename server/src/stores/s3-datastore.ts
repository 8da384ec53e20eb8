import { PassThrough, Readable } from 'node:stream'
import { type CompletedPart, type Part, S3 } from '@aws-sdk/client-s3'
import { type MetadataValue, type Options, S3Store } from '@tus/s3-store'
import { ERRORS, StreamLimiter, TUS_RESUMABLE, Upload } from '@tus/utils'
import { isPartial } from '../model/record.js'
import { ChunkSink } from './s3-chunk-sink.js'
import { storedPrefix, type Tail, tailFollows } from './s3-parts.js'

// Ids Tusk accepts (model/upload-id.ts). Multipart uploads under other keys are not ours to expire.
const UPLOAD_KEY = /^[A-Za-z0-9_-]{1,200}$/
// Partial uploads (concatenation) expire even when finished (model/expiry.ts). An empty marker
// object per partial, created with it, lets deleteExpired() find them without reading every `.info`.
const PARTIAL_MARKERS = 'tusk-partials/'

/** S3 answers "no such thing" with several codes; RGW says NoSuchKey where AWS says NoSuchUpload. */
export function isS3NotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { name, Code } = error as { name?: string; Code?: string }
  const code = Code ?? name
  // Not NoSuchBucket: a missing bucket is a configuration error, never "this upload does not exist".
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchUpload'
}

/** The `<id>.part` tail's bytes (exactly `size` of them, or the write fails), then the body's. */
async function* withTail(tail: Readable, size: number, body: Readable): AsyncGenerator<Buffer> {
  let read = 0
  for await (const data of tail) {
    read += (data as Buffer).length
    yield data as Buffer
  }
  // Changed under us (another instance, despite the lock): the client must ask for the offset again.
  if (read !== size) throw ERRORS.INVALID_OFFSET
  yield* body
}

/**
 * S3 is down: it refuses connections, or accepted one and stopped answering (the client's socket
 * timeout ended the request). Sending the part again would fail the same way, or wait as long again.
 */
function isUnreachable(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: string; code?: string }
  return name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ECONNREFUSED'
}

const SILENT = { debug() {}, info() {}, warn() {}, error() {} }

type LegacyBody = Readable & { transformToByteArray(): Promise<Uint8Array> }

// How long what getUpload() read stays usable for the write() after it (see takeLastRead()).
const LAST_READ_MS = 30_000

/**
 * The multipart upload is gone: completed (or aborted). Not the bare `NotFound` the SDK gives any
 * code-less 404, as upstream. RGW says NoSuchKey where AWS says NoSuchUpload.
 */
function isMultipartUploadGone(error: unknown): boolean {
  const { name, Code } = (error ?? {}) as { name?: string; Code?: string }
  const code = Code ?? name
  return code === 'NoSuchUpload' || code === 'NoSuchKey'
}

// S3 user metadata of `<id>.part`: the upload offset of its first byte (see tailFollows()).
const TAIL_START = 'tusk-tail-start'

export interface TuskS3StoreOptions extends Options {
  /** Largest upload Tusk accepts: sizes the parts of uploads whose length is deferred. */
  maxUploadSize: number
}

/**
 * @tus/s3-store 2.0.7 with the defects a real S3 (and several instances) show fixed: see remove(),
 * write(), create(), declareUploadLength(), getMetadata(), getUpload(), finishMultipartUpload() and
 * deleteExpired(). Objects per upload: `<id>` (the multipart upload, then the finished object),
 * `<id>.info` (the upload's JSON) and `<id>.part` (the end of a PATCH shorter than a part, with the
 * offset of its first byte, kept until the next PATCH prepends it).
 *
 * Crash consistency: finishing an upload is several S3 calls (last part, `.info` marked completed,
 * CompleteMultipartUpload), and an instance can die between any two. Each state in between is one
 * getUpload() recognises and finishes (the parts, or parts plus `.part`, add up to the length while
 * the multipart upload is still open), so whoever next looks at the upload (HEAD, PATCH, GET, the
 * expiry job) completes it, and a client that was told offset = length can always download it.
 * One PATCH's parts are uploaded at once, so an instance can also die with part k lost and later
 * parts (or the `.part` tail) stored: only the parts before the gap count (s3-parts.ts), and
 * write() rewrites the rest.
 */
export class TuskS3Store extends S3Store {
  readonly #maxUploadSize: number

  /**
   * Sends streamed parts (ChunkSink). The SDK never retries a request with a streamed body (it cannot
   * send it again); a streamed part that fails goes again from its temp file, through `client` and its
   * retries. Its own client, because the SDK also prints a warning to the console for each such failure
   * unless a logger is set, and an aborted part (a PATCH cut short) is no news worth a line.
   */
  readonly #streamClient: S3

  constructor(options: TuskS3StoreOptions) {
    const { maxUploadSize, ...rest } = options
    super(rest)
    this.#maxUploadSize = maxUploadSize
    const { bucket: _bucket, ...clientConfig } = rest.s3ClientConfig
    this.#streamClient = new S3({ ...clientConfig, maxAttempts: 1, logger: SILENT })
  }

  /** Both S3 clients (the second sends streamed parts), e.g. to trace their requests. */
  get clients(): S3[] {
    return [this.client, this.#streamClient]
  }

  /** Closes both S3 clients' connections. */
  destroy(): void {
    this.client.destroy()
    this.#streamClient.destroy()
  }

  /** The S3 client, for Tusk's own reads (downloads, readiness) with the same settings. */
  get s3() {
    return this.client
  }

  /** Every object key an upload can own, the `.info` last so a failed removal can be retried. */
  objectKeys(id: string): string[] {
    return [this.partKey(id), this.partKey(id, true), this.infoKey(id)]
  }

  /**
   * Upstream aborts the multipart upload first and turns its NoSuchUpload into 404. A *finished*
   * upload has no multipart upload any more (S3 completed it), so terminating it answered 404 and left
   * `<id>` and `<id>.info` behind (defect A). Upstream also never deleted `<id>.part` (defect B).
   */
  override async remove(id: string): Promise<void> {
    // Read the info fresh: a cached entry may describe an upload another instance already removed.
    await this.clearCache(id)
    let uploadId: string | undefined
    try {
      uploadId = (await this.getMetadata(id))['upload-id']
    } catch (error) {
      if (isS3NotFound(error)) throw ERRORS.FILE_NOT_FOUND
      throw error
    }
    await this.discard(id, uploadId)
  }

  /** Aborts the multipart upload if it is still open and deletes every object of the upload. */
  protected async discard(id: string, uploadId: string | undefined): Promise<void> {
    if (uploadId) {
      try {
        await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId })
      } catch (error) {
        // Already completed (a finished upload) or already aborted: there is nothing to abort.
        if (!isS3NotFound(error)) throw error
      }
    }
    const [object, part, info] = this.objectKeys(id)
    await this.deleteKeys([object as string, part as string, PARTIAL_MARKERS + id])
    await this.deleteKeys([info as string])
    await this.clearCache(id)
    this.lastRead.delete(id)
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    const result = await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    })
    const failed = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey')
    if (failed.length > 0) {
      throw new Error(`S3 DeleteObjects failed for ${failed.map((e) => `${e.Key} (${e.Code})`).join(', ')}`)
    }
  }

  /**
   * Keeps every byte that arrived before the body failed (a client that went away mid-PATCH), as the
   * file store does. Upstream dropped the part it was still cutting, up to a whole part size, so the
   * client had to send those bytes again. The failure is still reported once the bytes are stored.
   */
  override async write(src: Readable, id: string, offset: number): Promise<number> {
    // The most bytes this body brings: its Content-Length when it had one (body.ts limits it so).
    const bodyLimit =
      src instanceof StreamLimiter ? (src as unknown as { maxSize: number }).maxSize : undefined
    let failure: unknown
    const received = new PassThrough()
    src.once('error', (error) => {
      failure ??= error
      src.unpipe(received)
      received.end()
    })
    src.pipe(received)
    const marks = this.traceWrite ? { start: performance.now(), prepared: 0, bodyEnd: 0 } : undefined
    if (marks) received.once('end', () => (marks.bodyEnd = performance.now()))
    try {
      const newOffset = await this.writeAfterPrefix(received, id, offset, bodyLimit, marks)
      if (failure !== undefined) throw failure
      return newOffset
    } finally {
      if (marks && this.traceWrite) {
        const done = performance.now()
        const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10
        this.traceWrite({
          ms: ms(marks.start, done),
          prepareMs: ms(marks.start, marks.prepared || done),
          bodyMs: ms(marks.prepared || done, marks.bodyEnd || done),
          settleMs: ms(marks.bodyEnd || done, done),
        })
      }
    }
  }

  /**
   * Set (TUSK_S3_TRACE) to learn where each write()'s time goes: reading the upload's state before
   * the body (prepareMs), taking the body in (bodyMs: parts stream meanwhile), and storing what is
   * left after its last byte (settleMs: the last part's answer, the tail, completion).
   */
  traceWrite?: (phases: { ms: number; prepareMs: number; bodyMs: number; settleMs: number }) => void

  /**
   * Upstream's write(), counting from the gap-free prefix of the parts (storedPrefix()). Upstream
   * numbered the new parts after the highest stored part and prepended whatever `.part` there was,
   * so after an instance died between the parallel parts of a PATCH (part k lost, k+1 stored) the
   * object lacked part k's bytes, or had stale bytes in the middle.
   *
   * Every part but the last is exactly partSizeFor() long (a shorter end of a PATCH becomes the
   * `.part` tail, even above S3's minimum part size), so part n always holds the bytes from
   * (n-1) x part size, whichever PATCH wrote it. That is what makes a crash's leftovers harmless on
   * S3 services that, like Ceph RGW, only complete a multipart upload listing *every* stored part:
   * no part can be left out, so every stored part must end up holding the right bytes. Parts after
   * the gap are emptied first (an empty part ends the prefix), so they count only once re-sent:
   * the upload reaching its length rewrites every part number up to its last, these included.
   * A `.part` that does not start right after the prefix is dropped, not prepended.
   *
   * The `.part` tail stays where it is until its bytes are stored again (issue 13): upstream deleted
   * it first, so a PATCH cut by an S3 outage lost, besides its own bytes, every byte of the tail, up
   * to a part size the client had to send again. Its recorded start makes a stale one harmless: once
   * the part holding its bytes is stored, the prefix moves past its start and it no longer counts;
   * a new tail replaces it in one PutObject, and only after the parts before it are stored.
   */
  private async writeAfterPrefix(
    src: Readable,
    id: string,
    offset: number,
    bodyLimit: number | undefined,
    marks?: { prepared: number },
  ): Promise<number> {
    const metadata = await this.getMetadata(id)
    const { size } = metadata.file
    const { listed, tail } = (await this.takeLastRead(id)) ?? {
      listed: await this.retrieveParts(id),
      tail: await this.tailOf(id),
    }
    const prefix = storedPrefix(listed, size)
    const follows = tail !== undefined && tailFollows(tail, prefix, size)
    // Under the upload's lock nothing else writes it, so only a stale caller gets here (the offset
    // it was told is not what is stored): the client must ask for the offset again.
    if (offset !== prefix.bytes + (follows ? tail.size : 0)) throw ERRORS.INVALID_OFFSET
    await Promise.all(
      prefix.beyond.map((part) => this.uploadPart(metadata, Buffer.alloc(0), part.PartNumber as number)),
    )
    let prepended: Readable | undefined
    if (tail && tail.start === undefined) {
      // A tail written before Tusk recorded its start cannot tell it is stale: read (it is under a
      // part size), then deleted before its bytes are stored again, as upstream did.
      const legacy = follows ? await this.getIncompletePart(id) : undefined
      const held = legacy ? Buffer.from(await (legacy as LegacyBody).transformToByteArray()) : undefined
      await this.deleteIncompletePart(id)
      prepended = held && Readable.from([held])
    } else if (follows) {
      prepended = await this.getIncompletePart(id)
    }
    if (follows && !prepended) throw ERRORS.INVALID_OFFSET
    const tailBytes = follows ? tail.size : 0
    const body = prepended ? withTail(prepended, tailBytes, src) : src
    const partSize = this.partSizeFor(size, listed)
    const reach = bodyLimit === undefined ? undefined : prefix.bytes + tailBytes + bodyLimit
    if (marks) marks.prepared = performance.now()
    const written = await this.uploadChunks(metadata, body, {
      firstPartNumber: prefix.parts.length + 1,
      offset: prefix.bytes,
      partSize,
      reach,
    })
    const newOffset = prefix.bytes + written.bytes
    // The old tail's bytes are in a part now (or in the new tail, which replaced it).
    if (tail && tail.start !== undefined && !written.tail) await this.deleteIncompletePart(id)
    if (size === newOffset) {
      const stored = storedPrefix(await this.retrieveParts(id), size)
      if (stored.bytes !== size) {
        throw new Error(
          `upload ${id}: its parts hold ${stored.bytes} of its ${size} bytes after the last write`,
        )
      }
      await this.finishMultipartUpload(metadata, stored.parts)
      await this.clearCache(id)
    }
    return newOffset
  }

  /**
   * The size of every part of the upload but the last. Part 1's, once it is stored: a layout never
   * changes under an upload (a new configured part size, or a deferred length being declared, would
   * otherwise move every later part's bytes). Before that, upstream's choice for the length, made
   * small enough that the upload has a part for every number a crash left behind (see write()).
   */
  private partSizeFor(size: number | undefined, listed: readonly Part[]): number {
    const first = listed.find((part) => part.PartNumber === 1)?.Size ?? 0
    if (first >= this.minPartSize && first !== size) return first
    const partSize = this.calcOptimalPartSize(size)
    const highest = Math.max(0, ...listed.map((part) => part.PartNumber ?? 0))
    if (size === undefined || highest < 2 || Math.ceil(size / partSize) >= highest) return partSize
    return Math.max(this.minPartSize, Math.ceil(size / (highest - 1)) - 1)
  }

  /**
   * Upstream's uploadParts(), with parts of exactly `partSize` and a `.part` tail that records the
   * offset of its first byte (TAIL_START). A part the body is expected to fill (`reach`, from its
   * Content-Length) streams to S3 while it arrives (ChunkSink); others wait in a temp file and go up
   * once cut. At most maxConcurrentPartUploads parts at once. The tail is stored only after every
   * part before it (it replaces the previous tail, whose bytes must not be lost if a part fails).
   * Returns the bytes stored and whether a tail was written.
   */
  private async uploadChunks(
    metadata: MetadataValue,
    body: AsyncIterable<Buffer>,
    layout: { firstPartNumber: number; offset: number; partSize: number; reach: number | undefined },
  ): Promise<{ bytes: number; tail: boolean }> {
    const { id, size } = metadata.file
    const { partSize, reach } = layout
    const uploads: Promise<void>[] = []
    let nextPartNumber = layout.firstPartNumber
    let position = layout.offset
    let stored = 0
    let failure: unknown
    let chunk: ChunkSink | undefined
    let permit: { release(): Promise<void> } | undefined
    const sendPart = (partNumber: number) => async (part: Readable, length: number, signal: AbortSignal) =>
      (
        await this.#streamClient.uploadPart(
          {
            Bucket: this.bucket,
            Key: id,
            UploadId: metadata['upload-id'],
            PartNumber: partNumber,
            Body: part,
            ContentLength: length,
          },
          { abortSignal: signal },
        )
      ).ETag
    const track = (work: Promise<void>, length: number, held: typeof permit) => {
      const upload = work
        .then(() => {
          stored += length
        })
        .catch((error: unknown) => {
          failure ??= error
          throw error
        })
        .finally(() => held?.release().catch(() => {}))
      // Awaited below, with the others; this keeps it from counting as unhandled until then.
      upload.catch(() => {})
      uploads.push(upload)
    }
    const open = async (): Promise<ChunkSink> => {
      permit = await this.partUploadSemaphore.acquire()
      const expected = size === undefined ? partSize : Math.min(partSize, size - position)
      const streamed = reach !== undefined && position + expected <= reach
      return new ChunkSink(position, expected, streamed ? sendPart(nextPartNumber) : undefined)
    }
    /** A whole chunk: a part (only the body's last chunk can be short). */
    const closeFull = (full: ChunkSink) => {
      const partNumber = nextPartNumber++
      position += full.received
      const work = full.streaming
        ? full
            .finishStream()
            .then(
              () => {},
              async (error: unknown) => {
                // Another part failed already, or S3 is down: the PATCH fails (503), no second try.
                if (failure !== undefined || isUnreachable(error)) throw error
                await this.uploadPart(metadata, await full.openFile(), partNumber)
              },
            )
            .finally(() => full.discard())
        : full
            .openFile()
            .then((file) => this.uploadPart(metadata, file, partNumber))
            .then(() => {})
            .finally(() => full.discard())
      track(work, full.received, permit)
      permit = undefined
    }
    try {
      for await (const data of body) {
        let rest = data
        while (rest.length > 0) {
          if (failure !== undefined) throw failure
          chunk ??= await open()
          const take = Math.min(rest.length, chunk.expected - chunk.received)
          await chunk.write(take === rest.length ? rest : rest.subarray(0, take))
          rest = rest.subarray(take)
          if (chunk.full) {
            closeFull(chunk)
            chunk = undefined
          }
        }
      }
    } catch (error) {
      failure ??= error
    }
    let wroteTail = false
    if (chunk) {
      const short = chunk
      chunk = undefined
      short.abortStream()
      // Stored only if the body itself ended well and every part before it is stored.
      await Promise.allSettled(uploads)
      if (failure === undefined && short.received > 0) {
        try {
          await this.uploadTail(id, await short.openFile(), short.start)
          stored += short.received
          wroteTail = true
        } catch (error) {
          failure = error
        }
      }
      await short.discard()
      await permit?.release().catch(() => {})
    }
    // Never return while uploads still run; report the first failure, as upstream.
    await Promise.allSettled(uploads)
    if (failure !== undefined) throw failure
    return { bytes: stored, tail: wroteTail }
  }

  /**
   * What getUpload() just read of an upload's parts and tail, for the write() that follows it under
   * the same lock (the upload core reads an upload before it appends to it): saves a ListParts and
   * a HeadObject per PATCH. Taken once, and only while fresh.
   */
  private readonly lastRead = new Map<string, { at: number; listed: Part[]; tail: Tail | undefined }>()

  private rememberRead(id: string, listed: Part[], tail: Tail | undefined): void {
    this.lastRead.set(id, { at: Date.now(), listed, tail })
  }

  private async takeLastRead(id: string): Promise<{ listed: Part[]; tail: Tail | undefined } | undefined> {
    const read = this.lastRead.get(id)
    this.lastRead.delete(id)
    return read && Date.now() - read.at < LAST_READ_MS ? read : undefined
  }

  /** Stores the tail of a PATCH (`<id>.part`) with the offset of its first byte. */
  private async uploadTail(id: string, body: Readable, start: number): Promise<void> {
    await this.client.putObject({
      Bucket: this.bucket,
      Key: this.partKey(id, true),
      Body: body,
      Tagging: this.useCompleteTag('false'),
      Metadata: { [TAIL_START]: String(start) },
    })
  }

  /** The `<id>.part` tail's size and recorded start, if there is one. */
  private async tailOf(id: string): Promise<Tail | undefined> {
    try {
      const head = await this.client.headObject({ Bucket: this.bucket, Key: this.partKey(id, true) })
      const start = head.Metadata?.[TAIL_START]
      return { size: head.ContentLength ?? 0, start: start === undefined ? undefined : Number(start) }
    } catch (error) {
      if (isS3NotFound(error)) return undefined
      throw error
    }
  }

  /**
   * A zero-length upload is finished at creation, but @tus/server never calls write() for it, so the
   * multipart upload was never completed and there was no object to download. Complete it now.
   */
  override async create(upload: Upload): Promise<Upload> {
    const created = await super.create(upload)
    if (isPartial(created)) {
      await this.client.putObject({
        Bucket: this.bucket,
        Key: PARTIAL_MARKERS + created.id,
        Body: new Uint8Array(0),
      })
    }
    if (created.size === 0) await this.completeUpload(created.id, [])
    return created
  }

  /**
   * The info cache entry is a copy when it lives in Redis: upstream saved the new length to S3 but
   * kept serving the old (unknown) length from the cache, so the upload could never finish.
   */
  override async declareUploadLength(id: string, length: number): Promise<void> {
    await super.declareUploadLength(id, length)
    await this.clearCache(id)
  }

  /**
   * The cached info of an upload whose length is still deferred may be stale: another instance (with
   * its own in-memory cache) may have declared the length since. Everything else in the info never
   * changes after creation, so only those entries are re-read from S3.
   */
  protected override async getMetadata(id: string): Promise<MetadataValue> {
    const cached = await this.cache.get(id)
    if (cached && cached.file.size !== undefined && cached.file.size !== null) return cached
    if (cached) await this.cache.delete(id)
    return super.getMetadata(id)
  }

  /**
   * Reads the upload's state from S3 and finishes an upload an instance died finishing.
   *
   * Upstream reports offset = sum of all stored parts plus any `.part`: after an instance died between
   * the parallel parts of a PATCH that counted bytes past a missing part. Here the offset is the
   * gap-free prefix of the parts, plus the tail if it starts right there (storedPrefix(), tailFollows()).
   *
   * Upstream also reports offset = sum of the parts while the multipart upload is open: when an instance
   * died after the last part but before CompleteMultipartUpload, HEAD said "finished" while there was
   * no object to download, forever. Here whoever reads the upload completes it (idempotently: several
   * instances may do so at once). A tail in `<id>.part` that completes the upload (a deferred length
   * declared equal to the offset, the instance gone before write() moved the tail) becomes the last
   * part first; if the parts alone add up, any `.part` is a leftover of that step.
   *
   * Upstream also reported an upload as finished whenever its multipart upload is gone, trusting the
   * cached info: if another instance removed the upload (or a lifecycle rule deleted the object),
   * that cache answered "finished" for an upload that no longer exists. A finished upload must have
   * its object; without one, the info is read again from S3 (gone: not found).
   */
  override async getUpload(id: string): Promise<Upload> {
    this.lastRead.delete(id)
    return this.readUpload(id, false)
  }

  private async readUpload(id: string, fresh: boolean): Promise<Upload> {
    if (fresh) await this.clearCache(id)
    let metadata: MetadataValue
    try {
      metadata = await this.getMetadata(id)
    } catch (error) {
      // No `<id>.info`, no upload (as upstream). But an S3 that cannot be reached says nothing about
      // the upload: that is a fault to retry (503; 423 on an offset read), never "not found", which
      // makes tus clients drop the upload and start it over.
      if (isS3NotFound(error)) throw ERRORS.FILE_NOT_FOUND
      throw error
    }
    const { size } = metadata.file
    // The tail is read alongside the parts (one round trip per HEAD and PATCH, not two); it is
    // only used when the multipart upload is still open.
    const tailRead = this.tailOf(id)
    tailRead.catch(() => {})
    let parts: Part[]
    try {
      parts = await this.retrieveParts(id)
    } catch (error) {
      if (!isMultipartUploadGone(error)) throw error
      // With fresh info (the `.info` still there) this is upstream's answer, as before.
      if (fresh || (await this.objectExists(id))) return this.finished(metadata)
      return this.readUpload(id, true)
    }
    const prefix = storedPrefix(parts, size)
    if (size === prefix.bytes) {
      // Every byte is in the parts: complete, dropping a `.part` already copied into the last part.
      await this.deleteIncompletePart(id)
      await this.completeUpload(id, prefix.parts)
      return this.finished(metadata)
    }
    const stored = await tailRead
    const tail = stored && tailFollows(stored, prefix, size) ? stored.size : 0
    if (tail > 0 && size === prefix.bytes + tail) {
      if (!(await this.moveTailIntoParts(metadata, prefix.parts))) {
        // Another instance moved it meanwhile: look again.
        if (fresh) throw new Error(`upload ${id}: its tail vanished twice while being completed`)
        return this.readUpload(id, true)
      }
      await this.deleteIncompletePart(id)
      await this.completeUpload(id, prefix.parts)
      return this.finished(metadata)
    }
    this.rememberRead(id, parts, stored)
    return new Upload({ ...metadata.file, offset: prefix.bytes + tail, size, storage: metadata.file.storage })
  }

  private finished(metadata: MetadataValue): Upload {
    const { file } = metadata
    return new Upload({ ...file, offset: file.size as number, size: file.size, storage: file.storage })
  }

  /**
   * Uploads `<id>.part` (under 5 MiB; S3 allows a short last part) as the part after `parts`, and
   * adds it to `parts`. False when `.part` is gone (another instance got there first).
   */
  private async moveTailIntoParts(metadata: MetadataValue, parts: Part[]): Promise<boolean> {
    const body = await this.getIncompletePart(metadata.file.id)
    if (!body) return false
    const bytes = await (
      body as Readable & { transformToByteArray(): Promise<Uint8Array> }
    ).transformToByteArray()
    const PartNumber = (parts.at(-1)?.PartNumber ?? 0) + 1
    const ETag = await this.uploadPart(metadata, Buffer.from(bytes), PartNumber)
    parts.push({ PartNumber, ETag, Size: bytes.length })
    return true
  }

  private async objectExists(id: string): Promise<boolean> {
    try {
      await this.client.headObject({ Bucket: this.bucket, Key: this.partKey(id) })
      return true
    } catch (error) {
      if (isS3NotFound(error)) return false
      throw error
    }
  }

  /** The multipart upload behind an upload (for concatenation, which fills it by copying parts). */
  async multipartUploadId(id: string): Promise<string> {
    const uploadId = (await this.getMetadata(id))['upload-id']
    if (!uploadId) throw new Error(`upload ${id} has no multipart upload`)
    return uploadId
  }

  /**
   * Finishes an upload whose multipart upload holds all its bytes as `parts`: marks `<id>.info`
   * completed, completes the multipart upload (done already, by another instance, counts as done)
   * and drops the cached info, here and in Redis.
   */
  async completeUpload(id: string, parts: CompletedPart[]): Promise<void> {
    await this.finishMultipartUpload(await this.getMetadata(id), parts)
    await this.clearCache(id)
  }

  /**
   * Marks `<id>.info` completed *before* completing the multipart upload, and treats a multipart
   * upload another instance completed meanwhile as done. Upstream completed first and re-tagged the
   * info after (completeMetadata): an instance that died in between left a finished upload whose
   * info still says Tus-Completed=false, which a lifecycle rule expiring unfinished uploads by that
   * tag deletes, and nothing could tell it apart without reading tags. In this order, dying in
   * between leaves an open multipart upload whose parts add up to the length: getUpload() finishes it.
   */
  protected override async finishMultipartUpload(
    metadata: MetadataValue,
    parts: Part[],
  ): Promise<string | undefined> {
    await this.markInfoCompleted(metadata)
    try {
      return await super.finishMultipartUpload(metadata, parts)
    } catch (error) {
      // Gone without an object: aborted (terminated or expired) under us; that is no success.
      if (isMultipartUploadGone(error) && (await this.objectExists(metadata.file.id))) return undefined
      throw error
    }
  }

  /** Done by finishMultipartUpload(), before the completion; see there. Upstream's write() calls this. */
  protected override async completeMetadata(_upload: Upload): Promise<void> {}

  private async markInfoCompleted(metadata: MetadataValue): Promise<void> {
    if (!this.shouldUseExpirationTags()) return
    await this.client.putObject({
      Bucket: this.bucket,
      Key: this.infoKey(metadata.file.id),
      Body: JSON.stringify(metadata.file),
      Tagging: this.useCompleteTag('true'),
      Metadata: { 'upload-id': metadata['upload-id'] as string, 'tus-version': TUS_RESUMABLE },
    })
  }

  /**
   * Upstream sizes the parts of a deferred-length upload for S3's 5 TiB maximum (550 MB parts, each
   * buffered in a temp file); Tusk's own maximum upload size is the real bound.
   */
  protected override calcOptimalPartSize(size?: number): number {
    return super.calcOptimalPartSize(size ?? this.#maxUploadSize)
  }

  /**
   * Deletes unfinished uploads older than the expiry (those whose multipart upload is still open, unless
   * every byte is in it: an instance died finishing it, and getUpload() completes it) and partial
   * uploads older than the expiry, finished or not. Upstream counted deleted *objects* (two
   * per upload), left the cache entry, and expired any multipart upload in the bucket; this counts
   * uploads and only touches keys that are upload ids.
   */
  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration()
    if (expiry <= 0) return 0
    let deleted = 0
    let KeyMarker: string | undefined
    let UploadIdMarker: string | undefined
    for (;;) {
      const page = await this.client.listMultipartUploads({ Bucket: this.bucket, KeyMarker, UploadIdMarker })
      for (const open of page.Uploads ?? []) {
        if (!open.Key || !open.UploadId || !open.Initiated || !UPLOAD_KEY.test(open.Key)) continue
        if (Date.now() <= open.Initiated.getTime() + expiry) continue
        if (await this.isFinishedAfterAll(open.Key, open.UploadId)) continue
        await this.discard(open.Key, open.UploadId)
        deleted++
      }
      if (!page.IsTruncated) break
      KeyMarker = page.NextKeyMarker
      UploadIdMarker = page.NextUploadIdMarker
    }
    let ContinuationToken: string | undefined
    do {
      const page = await this.client.listObjectsV2({
        Bucket: this.bucket,
        Prefix: PARTIAL_MARKERS,
        ContinuationToken,
      })
      for (const marker of page.Contents ?? []) {
        const id = marker.Key?.slice(PARTIAL_MARKERS.length) ?? ''
        if (!UPLOAD_KEY.test(id) || !marker.LastModified) continue
        if (Date.now() <= marker.LastModified.getTime() + expiry) continue
        // Finished (its multipart upload is complete): nothing left to abort.
        await this.discard(id, undefined)
        deleted++
      }
      ContinuationToken = page.NextContinuationToken
    } while (ContinuationToken)
    return deleted
  }

  /** Whether an open multipart upload is an upload an instance died finishing, now completed. */
  private async isFinishedAfterAll(id: string, uploadId: string): Promise<boolean> {
    try {
      if ((await this.getMetadata(id))['upload-id'] !== uploadId) return false
      const upload = await this.getUpload(id)
      return upload.size !== undefined && upload.offset === upload.size
    } catch (error) {
      if (error === ERRORS.FILE_NOT_FOUND || isS3NotFound(error)) return false
      throw error
    }
  }
}
