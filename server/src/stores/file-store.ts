import { createReadStream, createWriteStream, mkdirSync } from 'node:fs'
import { access, constants, stat } from 'node:fs/promises'
import path from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { FileStore } from '@tus/file-store'
import { ERRORS } from '@tus/utils'
import { ERR } from '../errors.js'
import { canExpire } from '../model/expiry.js'
import { filePendingConcatenations } from './file-pending.js'
import type { StoredObject, TuskStore } from './types.js'

/**
 * @tus/file-store 2.1.1 deletes *finished* uploads as expired: its deleteExpired() compares the
 * size with the offset saved at creation (always 0), not with the bytes on disk. Tusk only expires
 * uploads that are really unfinished (or partial uploads, see model/expiry.ts), checking the
 * offset through getUpload().
 */
class ExpiringFileStore extends FileStore {
  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration()
    if (expiry <= 0 || !this.configstore.list) return 0
    const now = Date.now()
    let deleted = 0
    for (const id of await this.configstore.list()) {
      try {
        const upload = await this.getUpload(id)
        const created = upload.creation_date ? Date.parse(upload.creation_date) : Number.NaN
        if (canExpire(upload) && Number.isFinite(created) && now > created + expiry) {
          await this.remove(id)
          deleted++
        }
      } catch (error) {
        // A record whose file vanished is garbage too; anything else is a real failure.
        if (error === ERRORS.FILE_NO_LONGER_EXISTS) {
          await this.configstore.delete(id)
        } else if (error !== ERRORS.FILE_NOT_FOUND) {
          throw error
        }
      }
    }
    return deleted
  }

  /**
   * FileStore.write, but a failed write keeps its cause: @tus/file-store 2.1.1 turns every error into
   * FILE_WRITE_ERROR (a bare 500), so a full disk (ENOSPC) could not be answered 507. The offset it
   * returns stays "bytes written", and the bytes on disk are what getUpload reads back.
   */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const file = path.join(this.directory, id)
    if (path.dirname(file) !== path.resolve(this.directory)) throw ERRORS.FILE_NOT_FOUND
    let received = 0
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length
        callback(null, chunk)
      },
    })
    await pipeline(readable, count, createWriteStream(file, { flags: 'r+', start: offset }))
    return offset + received
  }
}

export function createFileStore(options: { dataDir: string; uploadExpiry: number }): TuskStore {
  const directory = path.resolve(options.dataDir)
  // Created synchronously: FileStore's own mkdir runs in its constructor without awaiting, and its
  // failure would surface as an uncaught exception instead of a start-up error.
  mkdirSync(directory, { recursive: true })
  const datastore = new ExpiringFileStore({ directory, expirationPeriodInMilliseconds: options.uploadExpiry })

  const resolve = (id: string) => {
    const file = path.join(directory, id)
    if (path.dirname(file) !== directory) throw ERR.NOT_FOUND()
    return file
  }

  return {
    kind: 'file',
    datastore,
    async stat(id): Promise<StoredObject> {
      try {
        const info = await stat(resolve(id))
        if (!info.isFile()) throw ERR.NOT_FOUND()
        return {
          size: info.size,
          lastModified: info.mtime,
          etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw ERR.NOT_FOUND()
        throw error
      }
    },
    async createReadStream(id, range) {
      return createReadStream(resolve(id), range ? { start: range.start, end: range.end } : {})
    },
    async checkWritable() {
      await access(directory, constants.W_OK)
    },
    terminate: (id) => datastore.remove(id),
    declareLength: (id, size) => datastore.declareUploadLength(id, size),
    expirer: { expiryPeriod: options.uploadExpiry, deleteExpired: () => datastore.deleteExpired() },
    async close() {},
    // Streamed assembly: each partial's file is piped, in order, into the final upload's file.
    async concatenate(final, partials) {
      let offset = 0
      for (const partial of partials) {
        // 1 MiB reads rather than the 64 KiB default: fewer, larger writes into the final file.
        const source = createReadStream(resolve(partial.id), { highWaterMark: 2 ** 20 })
        offset = await datastore.write(source, final.id, offset)
      }
    },
    pendingConcatenations: filePendingConcatenations(directory),
    // Same file system as the uploads; ".tmp" can never be an upload id (model/upload-id.ts).
    stagingDirectory: path.join(directory, '.tmp'),
  }
}
