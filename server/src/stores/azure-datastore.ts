import type { Readable } from 'node:stream'
import type { AppendBlobClient, ContainerClient, Metadata } from '@azure/storage-blob'
import { DataStore, ERRORS, Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { canExpire } from '../model/expiry.js'
import { isPartial } from '../model/record.js'
import { UPLOAD_ID_PATTERN } from '../model/upload-id.js'
import { withinTimeout } from './azure-timeout.js'

// Azure's limit for one Append Block call (4 MiB on every service version; Azurite enforces it).
// A PATCH body is appended in blocks of this size, so a PATCH never holds more than one block in
// memory. An append blob takes at most 50,000 blocks: 195 GiB when every PATCH is at least 4 MiB.
export const APPEND_BLOCK_SIZE = 4 * 2 ** 20
const INFO_SUFFIX = '.info'
// Cached records (their fields never change once the length is known); a miss reads `<id>.info` again.
const RECORD_CACHE_ENTRIES = 10_000

/** What `<id>.info` holds: the upload without its offset (the offset is the append blob's length). */
interface UploadRecord {
  id: string
  size?: number
  metadata?: Record<string, string | null>
  creation_date?: string
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode
const codeOf = (error: unknown) => (error as { code?: string }).code
/** A blob (or its container) that does not exist. */
export const isAzureNotFound = (error: unknown) => statusOf(error) === 404

/** Azure metadata on the append blob, so deleteExpired() can pick candidates from one listing. */
function blobMetadata(upload: { size?: number; metadata?: Upload['metadata'] }): Metadata {
  const metadata: Metadata = {}
  if (upload.size !== undefined) metadata.tusk_size = String(upload.size)
  if (isPartial({ metadata: upload.metadata })) metadata.tusk_partial = 'true'
  return metadata
}

/**
 * Tusk's Azure Blob Storage store. Objects per upload: `<id>`, an append blob holding the bytes, whose
 * length *is* the upload's offset, and `<id>.info`, a block blob holding the upload record as JSON.
 *
 * Not @tus/azure-store 2.0.2: it keeps the offset in blob metadata written after each append (an
 * instance dying in between leaves an offset below the bytes stored, and the resumed upload appends
 * the same bytes twice), buffers a whole PATCH body in memory, drops every byte of a PATCH whose
 * body breaks off, stores metadata in tus's header form (Tusk's reserved keys contain a space, so
 * every upload with client metadata became unreadable), serves offsets from a per-process cache
 * (stale for every other instance), turns every failure, a missing upload or an unreachable service
 * alike, into a bare 500, and has no termination, expiration or concatenation.
 *
 * Here each block is appended with the position it must land at (Azure's append-position
 * condition), so a stale writer is refused (409) and a crash leaves exactly the blocks appended so
 * far, all counted: there is no second record of the offset to fall behind.
 */
export class TuskAzureStore extends DataStore {
  readonly container: ContainerClient
  readonly #expiry: number
  readonly #records = new Map<string, UploadRecord>()
  #containerReady: Promise<void> | undefined

  constructor(options: { container: ContainerClient; expirationPeriodInMilliseconds: number }) {
    super()
    this.container = options.container
    this.#expiry = options.expirationPeriodInMilliseconds
    this.extensions = [
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
    ]
  }

  override getExpiration(): number {
    return this.#expiry
  }

  /** Creates the container if it is missing (once per process, retried after a failure). */
  ensureContainer(): Promise<void> {
    this.#containerReady ??= withinTimeout((options) => this.container.createIfNotExists(options)).then(
      () => undefined,
      (error: unknown) => {
        this.#containerReady = undefined
        throw error
      },
    )
    return this.#containerReady
  }

  private data(id: string): AppendBlobClient {
    return this.container.getAppendBlobClient(id)
  }

  private info(id: string) {
    return this.container.getBlockBlobClient(id + INFO_SUFFIX)
  }

  override async create(upload: Upload): Promise<Upload> {
    await this.ensureContainer()
    // The bytes' blob first: an `<id>.info` exists only for an upload whose append blob does.
    await withinTimeout((options) =>
      this.data(upload.id).create({
        ...options,
        metadata: blobMetadata(upload),
        conditions: { ifNoneMatch: '*' },
      }),
    )
    await this.saveRecord({
      id: upload.id,
      size: upload.size,
      metadata: upload.metadata,
      creation_date: upload.creation_date,
    })
    upload.storage = { type: 'azure', path: upload.id, bucket: this.container.containerName }
    return upload
  }

  private async saveRecord(record: UploadRecord): Promise<void> {
    const json = JSON.stringify(record)
    await withinTimeout((options) =>
      this.info(record.id).upload(json, Buffer.byteLength(json), {
        ...options,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      }),
    )
    this.remember(record)
  }

  private remember(record: UploadRecord): void {
    this.#records.delete(record.id)
    this.#records.set(record.id, record)
    if (this.#records.size > RECORD_CACHE_ENTRIES) {
      const oldest = this.#records.keys().next().value
      if (oldest !== undefined) this.#records.delete(oldest)
    }
  }

  /**
   * The upload's record. A cached one is used only when its length is known: another instance may
   * have declared a deferred length since; nothing else in it ever changes.
   */
  private async record(id: string, fresh = false): Promise<UploadRecord> {
    const cached = this.#records.get(id)
    if (cached && !fresh && cached.size !== undefined) return cached
    let json: Buffer
    try {
      json = await withinTimeout((options) => this.info(id).downloadToBuffer(0, undefined, options))
    } catch (error) {
      // No `<id>.info`, no upload. An unreachable service says nothing about the upload: it stays
      // a fault (503; 423 on an offset read), never "not found", which makes clients start over.
      if (isAzureNotFound(error)) {
        this.#records.delete(id)
        throw ERRORS.FILE_NOT_FOUND
      }
      throw error
    }
    const record = JSON.parse(json.toString('utf8')) as UploadRecord
    this.remember(record)
    return record
  }

  /** The bytes stored so far: the append blob's length. */
  private async length(id: string): Promise<number> {
    try {
      return (await withinTimeout((options) => this.data(id).getProperties(options))).contentLength ?? 0
    } catch (error) {
      if (isAzureNotFound(error)) {
        // Its `<id>.info` without the bytes: an upload being removed (see remove()).
        this.#records.delete(id)
        throw ERRORS.FILE_NOT_FOUND
      }
      throw error
    }
  }

  override async getUpload(id: string): Promise<Upload> {
    const [record, offset] = await Promise.all([this.record(id), this.length(id)])
    return this.upload(record, offset)
  }

  private upload(record: UploadRecord, offset: number): Upload {
    return new Upload({
      ...record,
      offset,
      storage: { type: 'azure', path: record.id, bucket: this.container.containerName },
    })
  }

  /**
   * Appends the body in blocks of APPEND_BLOCK_SIZE, each at the position it must land at. The bytes
   * that arrived before a body broke off are appended too (the client does not send them again);
   * the body's failure is reported after that.
   */
  override async write(src: Readable, id: string, offset: number): Promise<number> {
    const { size } = await this.record(id)
    if ((await this.length(id)) !== offset) throw ERRORS.INVALID_OFFSET
    const blob = this.data(id)
    let position = offset
    let pending: Buffer[] = []
    let pendingBytes = 0
    let appendFailed = false
    const append = async (block: Buffer) => {
      appendFailed = true
      try {
        await withinTimeout((options) =>
          blob.appendBlock(block, block.length, {
            ...options,
            conditions: { appendPosition: position, ...(size === undefined ? {} : { maxSize: size }) },
          }),
        )
      } catch (error) {
        if (codeOf(error) === 'MaxBlobSizeConditionNotMet') throw ERRORS.ERR_SIZE_EXCEEDED
        if (codeOf(error) === 'BlockCountExceedsLimit') {
          throw ERR.TOO_LARGE(
            'Azure Blob Storage takes at most 50,000 appends per upload: this upload has had them all',
            { cause: error },
          )
        }
        if (codeOf(error) !== 'AppendPositionConditionNotMet') throw error
        // The SDK retries an append whose answer was lost; the retry then finds the block appended.
        if ((await this.length(id)) !== position + block.length) throw ERRORS.INVALID_OFFSET
      }
      position += block.length
      appendFailed = false
    }
    const flush = async (all: boolean) => {
      while (pendingBytes >= APPEND_BLOCK_SIZE || (all && pendingBytes > 0)) {
        const buffered = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending)
        const block = buffered.subarray(0, APPEND_BLOCK_SIZE)
        await append(block)
        const rest = buffered.subarray(block.length)
        pending = rest.length > 0 ? [rest] : []
        pendingBytes = rest.length
      }
    }
    let failure: unknown
    try {
      for await (const chunk of src) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
        pending.push(bytes)
        pendingBytes += bytes.length
        if (pendingBytes >= APPEND_BLOCK_SIZE) await flush(false)
      }
    } catch (error) {
      failure = error
    }
    // A failed append ends here with its own error; a broken body keeps what arrived, then fails.
    if (!appendFailed) await flush(true)
    if (failure !== undefined) throw failure
    return position
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    const record = { ...(await this.record(id, true)), size: length }
    await this.saveRecord(record)
    await withinTimeout((options) => this.data(id).setMetadata(blobMetadata(record), options))
  }

  /** Deletes the upload's bytes, then its record, so that a removal cut short can be repeated. */
  override async remove(id: string): Promise<void> {
    await this.record(id, true)
    await this.discard(id)
  }

  private async discard(id: string): Promise<void> {
    await withinTimeout((options) => this.data(id).deleteIfExists(options))
    await withinTimeout((options) => this.info(id).deleteIfExists(options))
    this.#records.delete(id)
  }

  /**
   * Deletes unfinished uploads and partial uploads (finished or not) created more than the expiry
   * ago; returns how many. One listing of the container finds the candidates (the append blob's
   * length and Azure metadata), each is confirmed from its record before it is deleted. Leftovers of a
   * crash older than the expiry go too: an append blob without `<id>.info` (an instance died
   * creating it) and an `<id>.info` without its append blob (one died removing it); they are not
   * uploads and are not counted.
   */
  override async deleteExpired(): Promise<number> {
    const expiry = this.#expiry
    if (expiry <= 0) return 0
    const now = Date.now()
    const old = (created: Date | undefined) => created !== undefined && now > created.getTime() + expiry
    // A service that lists no creation time: every upload is a candidate, its record decides.
    const maybeOld = (created: Date | undefined) => created === undefined || old(created)
    const blobs = new Map<string, { length: number; created?: Date; metadata: Metadata }>()
    const infos = new Map<string, Date | undefined>()
    for await (const blob of this.container.listBlobsFlat({ includeMetadata: true })) {
      if (blob.name.endsWith(INFO_SUFFIX)) {
        infos.set(blob.name.slice(0, -INFO_SUFFIX.length), blob.properties.createdOn)
      } else if (UPLOAD_ID_PATTERN.test(blob.name)) {
        blobs.set(blob.name, {
          length: blob.properties.contentLength ?? 0,
          created: blob.properties.createdOn,
          metadata: blob.metadata ?? {},
        })
      }
    }
    let deleted = 0
    for (const [id, blob] of blobs) {
      if (!maybeOld(blob.created)) continue
      if (!infos.has(id)) {
        if (old(blob.created)) await withinTimeout((options) => this.data(id).deleteIfExists(options))
        continue
      }
      const size = blob.metadata.tusk_size
      const unfinished = size === undefined || blob.length < Number(size)
      if (!unfinished && blob.metadata.tusk_partial !== 'true') continue
      let upload: Upload
      try {
        upload = this.upload(await this.record(id, true), await this.length(id))
      } catch (error) {
        if (error === ERRORS.FILE_NOT_FOUND) continue
        throw error
      }
      const created = upload.creation_date ? Date.parse(upload.creation_date) : Number.NaN
      if (!canExpire(upload) || !Number.isFinite(created) || now <= created + expiry) continue
      await this.discard(id)
      deleted++
    }
    for (const [id, created] of infos) {
      if (!blobs.has(id) && UPLOAD_ID_PATTERN.test(id) && old(created)) {
        await withinTimeout((options) => this.info(id).deleteIfExists(options))
      }
    }
    return deleted
  }
}
