import type { IncomingMessage, ServerResponse } from 'node:http'
import { Server } from '@tus/server'
import type { Locker } from '@tus/utils'
import { NodeRequest } from 'srvx/node'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import { expiresAt } from './expiry.js'
import { refusingFinalUploads } from './final-guard.js'
import { toTuskError } from './respond.js'
import { isPartial, newMetadataRecord } from './upload-record.js'

/**
 * @tus/server, configured from Tusk's config. It does core PATCH, creation (with upload, deferred
 * length) and termination over the store; Tusk's own handlers sit in front of it for what it lacks
 * (downloads, strict header checks, 412, method override, HEAD, OPTIONS, checksum, concatenation).
 */
export function createUpstream(config: Config, store: TuskStore, locker: Locker, logger: Logger): Server {
  const anyOrigin = config.corsOrigins.includes('*')
  return new Server({
    path: config.basePath,
    datastore: refusingFinalUploads(store.datastore),
    locker,
    maxSize: config.maxSize > 0 ? config.maxSize : undefined,
    respectForwardedHeaders: config.trustProxy,
    allowedOrigins: anyOrigin ? undefined : (origin: string) => config.corsOrigins.includes(origin),
    allowedCredentials: config.corsCredentials,
    allowedHeaders: config.corsAllowedHeaders,
    exposedHeaders: config.corsExposedHeaders,
    // Upload-Metadata values are bytes: keep the header as sent next to @tus's decoded text.
    async onUploadCreate(req, upload) {
      const header = req.headers.get('upload-metadata')
      return { metadata: newMetadataRecord(header ?? undefined) ?? upload.metadata }
    },
    // A partial upload goes on expiring once finished (expiry.ts); @tus omits Upload-Expires then.
    async onUploadFinish(_req, upload) {
      const expires = isPartial(upload) ? expiresAt(upload, store.datastore) : undefined
      return expires ? { headers: { 'Upload-Expires': expires.toUTCString() } } : {}
    },
    async onResponseError(req, error) {
      const e = toTuskError(error, logger, { method: req.method, url: req.url })
      return { status_code: e.status, body: `${e.message}\n` }
    },
  })
}

/**
 * Runs one request through @tus/server and writes its answer ourselves. @tus/server's own
 * `handle(req, res)` sends through srvx, whose `res.end(callback)` never calls back once the client
 * has gone: every aborted request left a promise pending forever (a leak, and a shutdown that waited
 * its whole timeout for requests that were long over). Its answers are small text bodies, so they
 * are written here with a Content-Length and the standard reason phrase.
 */
export async function forwardToUpstream(
  server: Server,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const response = await server.handleWeb(new NodeRequest({ req, res }))
  if (res.destroyed || res.headersSent) return
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
  res.statusCode = response.status
  for (const [name, value] of response.headers) res.setHeader(name, value)
  if (body) res.setHeader('Content-Length', String(body.length))
  res.end(body)
}
