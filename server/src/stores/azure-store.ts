import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import { type AzureClientConfig, azureContainerClient } from './azure-client.js'
import { isAzureNotFound, TuskAzureStore } from './azure-datastore.js'
import { azurePendingConcatenations } from './azure-pending.js'
import { withinTimeout } from './azure-timeout.js'
import { resumePlan } from './resume-plan.js'
import type { StoredObject, TuskStore } from './types.js'

export type AzureStoreConfig = AzureClientConfig & Pick<Config, 'uploadExpiry'>

/** An error whose `code` names the Azure failure, for /ready (AuthorizationFailure, ECONNREFUSED...). */
function unavailable(error: unknown): Error {
  const { code, name, message } = error as { code?: string; name?: string; message?: string }
  const reason = (message ?? String(error)).split('\n')[0]
  return Object.assign(new Error(`Azure Blob Storage is not writable: ${reason}`, { cause: error }), {
    code: code ?? name ?? 'AzureError',
  })
}

export function createAzureStore(config: AzureStoreConfig): TuskStore {
  const container = azureContainerClient(config)
  const datastore = new TuskAzureStore({ container, expirationPeriodInMilliseconds: config.uploadExpiry })
  // Readiness writes and deletes one tiny blob; the "/" keeps it apart from every upload's blobs.
  const probe = container.getBlockBlobClient(`tusk-ready-probe/${randomUUID()}`)

  return {
    kind: 'azure',
    datastore,
    async stat(id): Promise<StoredObject> {
      try {
        const properties = await withinTimeout((options) =>
          container.getBlobClient(id).getProperties(options),
        )
        return {
          size: properties.contentLength ?? 0,
          lastModified: properties.lastModified ?? new Date(0),
          etag: properties.etag ?? `"${(properties.contentLength ?? 0).toString(16)}"`,
        }
      } catch (error) {
        if (isAzureNotFound(error)) throw ERR.NOT_FOUND()
        throw error
      }
    },
    async createReadStream(id, range) {
      // Only the requested bytes leave Azure: a ranged Get Blob.
      try {
        // The timeout covers the answer; the body then streams for as long as it takes.
        const download = await withinTimeout((options) =>
          range
            ? container.getBlobClient(id).download(range.start, range.end - range.start + 1, options)
            : container.getBlobClient(id).download(0, undefined, options),
        )
        return download.readableStreamBody as Readable
      } catch (error) {
        if (isAzureNotFound(error)) throw ERR.NOT_FOUND()
        if ((error as { statusCode?: number }).statusCode === 416) throw ERR.RANGE_NOT_SATISFIABLE()
        throw error
      }
    },
    async checkWritable() {
      try {
        await datastore.ensureContainer()
        await withinTimeout((options) => probe.upload('', 0, options))
        await withinTimeout((options) => probe.deleteIfExists(options))
      } catch (error) {
        throw unavailable(error)
      }
    },
    terminate: (id) => datastore.remove(id),
    declareLength: (id, size) => datastore.declareUploadLength(id, size),
    expirer: { expiryPeriod: config.uploadExpiry, deleteExpired: () => datastore.deleteExpired() },
    // Streamed assembly, as the file store: each partial's blob is read and appended, in order. An
    // append blob cannot be rewritten, so an assembly cut short (a crash) is resumed where it stopped.
    async concatenate(final, partials) {
      const { offset: done } = await datastore.getUpload(final.id)
      for (const { partial, from, at } of resumePlan(partials, done)) {
        const download = await withinTimeout((options) =>
          container.getBlobClient(partial.id).download(from, undefined, options),
        )
        await datastore.write(download.readableStreamBody as Readable, final.id, at)
      }
    },
    pendingConcatenations: azurePendingConcatenations(container),
    async close() {},
  }
}
