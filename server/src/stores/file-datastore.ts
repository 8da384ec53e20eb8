import { close, createReadStream, open, read, readFile, type Stats, stat, writeFile } from 'node:fs'
import { mkdir, readdir, rm, truncate, unlink } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { DataStore, ERRORS, Upload } from '@tus/utils'
import { canExpire } from '../model/expiry.js'
import { appendToFile } from './file-append.js'

/** The upload record in `<id>.json`, as @tus/file-store 2.1.1 writes it (its FileConfigstore). */
interface InfoRecord {
  id: string
  size?: number
  offset: number
  metadata?: Record<string, string | null>
  creation_date?: string
  /**
   * Set while a chunk that must be verified is being written in place (and left by a crash during
   * one): the offset before it. Bytes from here on do not count. @tus/file-store ignores the key.
   */
  [UNVERIFIED_FROM]?: number
}

const UNVERIFIED_FROM = 'tusk.unverifiedFrom'

// The per-upload file calls use node:fs callbacks, not node:fs/promises: a FileHandle per call (its
// object, its close promise) costs measurable CPU on every small upload.

/** Creates an empty file, open for writing; fails with EEXIST when it exists. */
const createFile = (file: string) =>
  new Promise<number>((resolve, reject) =>
    open(file, 'wx', (error, fd) => (error ? reject(error) : resolve(fd))),
  )
const closeFile = (fd: number) =>
  new Promise<void>((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve())))
const writeText = (file: string, text: string) =>
  new Promise<void>((resolve, reject) => writeFile(file, text, (e) => (e ? reject(e) : resolve())))
// An upload record is a few hundred bytes: one read of this size takes it whole (open, read, close),
// where readFile also asks fstat for the size. A larger record falls back to readFile.
const RECORD_READ_SIZE = 4096
const readText = (file: string) =>
  new Promise<string>((resolve, reject) =>
    open(file, 'r', (openError, fd) => {
      if (openError) return reject(openError)
      const buffer = Buffer.allocUnsafe(RECORD_READ_SIZE)
      read(fd, buffer, 0, RECORD_READ_SIZE, 0, (readError, length) => {
        close(fd, () => {
          if (readError) reject(readError)
          else if (length < RECORD_READ_SIZE) resolve(buffer.toString('utf8', 0, length))
          else readFile(file, 'utf8', (error, text) => (error ? reject(error) : resolve(text)))
        })
      })
    }),
  )
const statOf = (file: string) =>
  new Promise<Stats>((resolve, reject) =>
    stat(file, (error, info) => (error ? reject(error) : resolve(info))),
  )

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

/**
 * Uploads as files, in @tus/file-store's layout, so a data directory moves between plain
 * @tus/server and Tusk without migrating (test/stores/file-store-compat.test.ts): the bytes in
 * `<dir>/<id>` (the offset is the file's size), the upload record in `<dir>/<id>.json`.
 *
 * Tusk's own rather than @tus/file-store's, for the cost per upload: that one makes the directory
 * again on every creation, creates the data file with writeFile, re-opens it through a write stream
 * behind a counting Transform and `pipeline` for every write (about eleven thread-pool round trips
 * for a 1 KiB creation-with-upload), turned every write failure into a bare 500 (hiding ENOSPC),
 * and expired finished uploads (its deleteExpired compared the size with the offset at creation).
 */
export class FileDataStore extends DataStore {
  /** Uploads whose record was seen with an unverified chunk: checked before their next write. */
  private readonly unverified = new Set<string>()

  constructor(
    readonly directory: string,
    private readonly expiryPeriod: number,
  ) {
    super()
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination']
    if (expiryPeriod > 0) this.extensions.push('expiration')
  }

  /** The data file of an upload; an id that would leave the directory is no upload. */
  private dataFile(id: string): string {
    const file = path.join(this.directory, id)
    if (path.dirname(file) !== this.directory) throw ERRORS.FILE_NOT_FOUND
    return file
  }

  private infoFile(id: string): string {
    return `${this.dataFile(id)}.json`
  }

  override async create(upload: Upload): Promise<Upload> {
    await closeFile(await this.createFiles(upload))
    return upload
  }

  /**
   * Creation-with-upload: creates the upload, runs `beforeBody` (the core's "created" events), then
   * writes the body through the descriptor the data file was made with, saving an open and a close
   * per small upload. Resolves with the offset after the body.
   */
  async createWithBody(upload: Upload, body: Readable, beforeBody: () => Promise<void>): Promise<number> {
    const fd = await this.createFiles(upload)
    try {
      await beforeBody()
    } catch (error) {
      await closeFile(fd)
      throw error
    }
    return appendToFile(body, this.dataFile(upload.id), 0, fd)
  }

  /** The data file (left open, returned) and the record of a new upload. */
  private async createFiles(upload: Upload): Promise<number> {
    const file = this.dataFile(upload.id)
    const record: InfoRecord = {
      id: upload.id,
      size: upload.size,
      offset: upload.offset,
      metadata: upload.metadata,
      creation_date: upload.creation_date,
    }
    let fd: number
    try {
      // 'wx': a new id never overwrites an upload, even one another process just made.
      fd = await createFile(file)
    } catch (error) {
      if (!isMissing(error)) throw error
      // The directory was removed while the server ran: make it again, as @tus/file-store would.
      await mkdir(this.directory, { recursive: true })
      fd = await createFile(file)
    }
    try {
      await writeText(`${file}.json`, JSON.stringify(record))
    } catch (error) {
      await closeFile(fd)
      throw error
    }
    upload.storage = { type: 'file', path: file }
    return fd
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    if (this.unverified.has(id)) await this.dropUnverified(id)
    return appendToFile(readable, this.dataFile(id), offset)
  }

  /**
   * A chunk to verify goes straight to its place in the data file, once: the record says first that
   * bytes from `offset` on are unverified (so HEAD, another instance, or this one after a kill -9
   * reports `offset`), and only once `verify` accepts them does the mark go. A refused or broken
   * chunk is cut off again. (It used to be staged in a file and copied: every byte written twice.)
   */
  async appendVerified(
    readable: Readable,
    id: string,
    offset: number,
    verify: (written: () => Readable) => Promise<void>,
  ): Promise<number> {
    if (this.unverified.has(id)) await this.dropUnverified(id)
    const file = this.dataFile(id)
    const record = await this.readRecord(id)
    record[UNVERIFIED_FROM] = offset
    await writeText(this.infoFile(id), JSON.stringify(record))
    delete record[UNVERIFIED_FROM]
    let end: number
    try {
      end = await appendToFile(readable, file, offset)
      const last = end - 1
      await verify(() =>
        last >= offset
          ? createReadStream(file, { start: offset, end: last, highWaterMark: 2 ** 20 })
          : Readable.from([]),
      )
    } catch (error) {
      await truncate(file, offset)
      await writeText(this.infoFile(id), JSON.stringify(record))
      throw error
    }
    await writeText(this.infoFile(id), JSON.stringify(record))
    return end
  }

  /**
   * Cuts off a chunk a crashed process left unverified (the caller holds the upload's lock, so no
   * live request is writing it) and clears the mark.
   */
  private async dropUnverified(id: string): Promise<void> {
    this.unverified.delete(id)
    const record = await this.readRecord(id)
    const from = record[UNVERIFIED_FROM]
    if (typeof from !== 'number') return
    await truncate(this.dataFile(id), from)
    delete record[UNVERIFIED_FROM]
    await writeText(this.infoFile(id), JSON.stringify(record))
  }

  override async getUpload(id: string): Promise<Upload> {
    const record = await this.readRecord(id)
    const file = this.dataFile(id)
    let size: number
    try {
      const info = await statOf(file)
      if (info.isDirectory()) throw ERRORS.FILE_NOT_FOUND
      size = info.size
    } catch (error) {
      if (isMissing(error)) throw ERRORS.FILE_NO_LONGER_EXISTS
      throw error
    }
    const unverifiedFrom = record[UNVERIFIED_FROM]
    if (typeof unverifiedFrom === 'number') {
      this.unverified.add(id)
      size = Math.min(size, unverifiedFrom)
    }
    return new Upload({
      id,
      size: record.size,
      offset: size,
      metadata: record.metadata,
      creation_date: record.creation_date,
      storage: { type: 'file', path: file },
    })
  }

  /** The record; FILE_NOT_FOUND when there is none (or it is not a record, as @tus/file-store reads it). */
  private async readRecord(id: string): Promise<InfoRecord> {
    let text: string
    try {
      text = await readText(this.infoFile(id))
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') throw ERRORS.FILE_NOT_FOUND
      throw error
    }
    try {
      return JSON.parse(text) as InfoRecord
    } catch {
      throw ERRORS.FILE_NOT_FOUND
    }
  }

  override async remove(id: string): Promise<void> {
    try {
      await unlink(this.dataFile(id))
    } catch (error) {
      if (isMissing(error)) throw ERRORS.FILE_NOT_FOUND
      throw error
    }
    await rm(this.infoFile(id), { force: true })
  }

  override async declareUploadLength(id: string, size: number): Promise<void> {
    const record = await this.readRecord(id)
    record.size = size
    await writeText(this.infoFile(id), JSON.stringify(record))
  }

  override getExpiration(): number {
    return this.expiryPeriod
  }

  /**
   * Deletes uploads that may expire (model/expiry.ts: unfinished ones, and partial uploads) once the
   * expiry period since their creation has passed. A record whose data file vanished is garbage too.
   */
  override async deleteExpired(): Promise<number> {
    if (this.expiryPeriod <= 0) return 0
    const now = Date.now()
    let deleted = 0
    for (const id of await this.listIds()) {
      try {
        const upload = await this.getUpload(id)
        const created = upload.creation_date ? Date.parse(upload.creation_date) : Number.NaN
        if (canExpire(upload) && Number.isFinite(created) && now > created + this.expiryPeriod) {
          await this.remove(id)
          deleted++
        }
      } catch (error) {
        if (error === ERRORS.FILE_NO_LONGER_EXISTS) await rm(this.infoFile(id), { force: true })
        else if (error !== ERRORS.FILE_NOT_FOUND) throw error
      }
    }
    return deleted
  }

  /** Ids with both a data file and a record (as @tus/file-store's FileConfigstore lists them). */
  private async listIds(): Promise<string[]> {
    const names = new Set(await readdir(this.directory))
    return [...names].filter((name) => !name.endsWith('.json') && names.has(`${name}.json`))
  }
}
