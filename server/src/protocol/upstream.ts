import type { IncomingMessage, ServerResponse } from 'node:http'
import { Server } from '@tus/server'
import type { Locker } from '@tus/utils'
import { NodeRequest } from 'srvx/node'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import { toTuskError } from './respond.js'

/**
 * @tus/server, configured from Tusk's config, for termination (DELETE: lock the upload, remove it
 * from the store). Everything else it would do has a Tusk handler in front of it, for reasons
 * measured or tested: its POST/PATCH path converts every body to a web stream and back (through it
 * Tusk spent 1,070 µs of CPU per 1 KiB upload, with its own handlers ~600: docs/benchmarks.md),
 * drops bytes already received when a client disconnects, mangles non-UTF-8 metadata, answers 501 to any Upload-Concat and 400 instead of
 * 412 to other tus versions, and its GET crashes the process on Node 20.
 */
export function createUpstream(config: Config, store: TuskStore, locker: Locker, logger: Logger): Server {
  return new Server({
    path: config.basePath,
    datastore: store.datastore,
    locker,
    maxSize: config.maxSize > 0 ? config.maxSize : undefined,
    respectForwardedHeaders: config.trustProxy,
    // CORS is the Koa host's (host/cors.ts); this only keeps @tus from answering differently.
    allowedOrigins: config.corsOrigins.includes('*')
      ? undefined
      : (origin: string) => config.corsOrigins.includes(origin),
    allowedCredentials: config.corsCredentials,
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
