import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import { s3ClientConfig } from './s3-client-config.js'
import { concatenateS3, s3ConcatPort } from './s3-concat.js'
import { isS3NotFound, TuskS3Store } from './s3-datastore.js'
import { presignedDownload } from './s3-download-url.js'
import { RedisInfoCache } from './s3-info-cache.js'
import { s3PendingConcatenations } from './s3-pending.js'
import { traceS3Requests } from './s3-trace.js'
import type { StoredObject, TuskStore } from './types.js'

// Cached upload info lives this long after its last write; a miss just reads `<id>.info` again.
const INFO_CACHE_TTL_MS = 3_600_000

export type S3StoreConfig = Pick<
  Config,
  | 's3Bucket'
  | 's3Endpoint'
  | 's3Region'
  | 's3AccessKeyId'
  | 's3SecretAccessKey'
  | 's3SessionToken'
  | 's3ForcePathStyle'
  | 's3PartSize'
  | 's3PartConcurrency'
  | 's3ChecksumMode'
  | 'uploadExpiry'
  | 'maxSize'
  | 'redisUrl'
  | 's3DownloadRedirect'
> &
  Partial<Pick<Config, 's3Trace'>>

/** An error whose `code` names the S3 failure, for /ready's reason (NoSuchBucket, AccessDenied, ECONNREFUSED...). */
function unavailable(error: unknown): Error {
  const { code, name, message } = error as { code?: string; name?: string; message?: string }
  return Object.assign(new Error(`S3 is not writable: ${message ?? String(error)}`, { cause: error }), {
    code: code ?? name ?? 'S3Error',
  })
}

export function createS3Store(config: S3StoreConfig): TuskStore {
  const bucket = config.s3Bucket
  // The config schema requires a bucket with store s3; this guards direct callers.
  if (!bucket) throw new Error('the S3 store needs a bucket (s3Bucket)')
  const cache = config.redisUrl
    ? new RedisInfoCache({
        url: config.redisUrl,
        prefix: `tusk:s3-info:${bucket}:`,
        ttlMs: INFO_CACHE_TTL_MS,
      })
    : undefined
  const datastore = new TuskS3Store({
    s3ClientConfig: { bucket, ...s3ClientConfig(config) },
    partSize: config.s3PartSize,
    maxConcurrentPartUploads: config.s3PartConcurrency,
    expirationPeriodInMilliseconds: config.uploadExpiry,
    maxUploadSize: config.maxSize,
    cache,
  })
  const s3 = datastore.s3
  if (config.s3Trace) {
    for (const client of datastore.clients) traceS3Requests(client)
    datastore.traceWrite = (phases) =>
      process.stderr.write(`s3-trace ${JSON.stringify({ command: 'write', ...phases, ok: true })}\n`)
  }
  // Readiness writes and deletes one tiny object; the "/" keeps it apart from every upload's keys.
  const probeKey = `tusk-ready-probe/${randomUUID()}`

  return {
    kind: 's3',
    datastore,
    async stat(id): Promise<StoredObject> {
      try {
        const head = await s3.headObject({ Bucket: bucket, Key: id })
        return {
          size: head.ContentLength ?? 0,
          lastModified: head.LastModified ?? new Date(0),
          etag: head.ETag ?? `"${(head.ContentLength ?? 0).toString(16)}"`,
        }
      } catch (error) {
        if (isS3NotFound(error)) throw ERR.NOT_FOUND()
        throw error
      }
    },
    async createReadStream(id, range) {
      // Only the requested bytes leave S3: a Range GET, never the whole object for a slice.
      try {
        const object = await s3.getObject({
          Bucket: bucket,
          Key: id,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        })
        return object.Body as Readable
      } catch (error) {
        if (isS3NotFound(error)) throw ERR.NOT_FOUND()
        if ((error as { name?: string }).name === 'InvalidRange') throw ERR.RANGE_NOT_SATISFIABLE()
        throw error
      }
    },
    // --s3-download-redirect: GET answers 307 to this (see tus/handlers/get.ts).
    downloadUrl:
      config.s3DownloadRedirect > 0
        ? (id, headers) => presignedDownload(s3, bucket, id, headers, config.s3DownloadRedirect)
        : undefined,
    async checkWritable() {
      try {
        await s3.putObject({ Bucket: bucket, Key: probeKey, Body: new Uint8Array(0), ContentLength: 0 })
        await s3.deleteObject({ Bucket: bucket, Key: probeKey })
      } catch (error) {
        throw unavailable(error)
      }
    },
    terminate: (id) => datastore.remove(id),
    declareLength: (id, size) => datastore.declareUploadLength(id, size),
    expirer: { expiryPeriod: config.uploadExpiry, deleteExpired: () => datastore.deleteExpired() },
    // Concatenation inside S3 (UploadPartCopy from the partials' objects; see s3-concat.ts).
    concatenate: (final, partials) => concatenateS3(s3ConcatPort(datastore, bucket), final, partials),
    pendingConcatenations: s3PendingConcatenations(s3, bucket),
    async close() {
      await cache?.close()
      datastore.destroy()
    },
  }
}
