import { createReadStream, mkdirSync } from 'node:fs'
import { access, constants, stat } from 'node:fs/promises'
import path from 'node:path'
import { ERR } from '../errors.js'
import { FileDataStore } from './file-datastore.js'
import { filePendingConcatenations } from './file-pending.js'
import type { StoredObject, TuskStore } from './types.js'

export function createFileStore(options: { dataDir: string; uploadExpiry: number }): TuskStore {
  const directory = path.resolve(options.dataDir)
  // Made at start, so a directory that cannot be made is a start-up error, not a failed upload.
  mkdirSync(directory, { recursive: true })
  const datastore = new FileDataStore(directory, options.uploadExpiry)

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
    appendVerified: (readable, id, offset, verify) => datastore.appendVerified(readable, id, offset, verify),
    createWithBody: (upload, body, beforeBody) => datastore.createWithBody(upload, body, beforeBody),
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
