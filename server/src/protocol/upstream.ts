import type { Locker } from '@tus/utils'
import { Server } from '@tus/server'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import { toTuskError } from './respond.js'

/**
 * @tus/server, configured from Tusk's config. It implements core, creation, creation-with-upload,
 * creation-defer-length, termination and expiration over the store; Tusk's own handlers sit in
 * front of it for what it lacks (downloads, strict header checks, 412, method override).
 */
export function createUpstream(config: Config, store: TuskStore, locker: Locker, logger: Logger): Server {
  const anyOrigin = config.corsOrigins.includes('*')
  return new Server({
    path: config.basePath,
    datastore: store.datastore,
    locker,
    maxSize: config.maxSize > 0 ? config.maxSize : undefined,
    respectForwardedHeaders: config.trustProxy,
    allowedOrigins: anyOrigin ? undefined : (origin: string) => config.corsOrigins.includes(origin),
    allowedCredentials: config.corsCredentials,
    allowedHeaders: config.corsAllowedHeaders,
    exposedHeaders: config.corsExposedHeaders,
    async onResponseError(req, error) {
      const e = toTuskError(error, logger, { method: req.method, url: req.url })
      return { status_code: e.status, body: `${e.message}\n` }
    },
  })
}
