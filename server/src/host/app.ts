import Koa, { type Middleware } from 'koa'
import type { Config } from '../config/schema.js'
import type { TuskLocker } from '../lockers/index.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import type { TusProtocol } from '../tus/dispatch.js'
import { corsMiddleware } from './cors.js'
import { healthRoutes } from './health.js'
import { logHostError, requestLog } from './request-log.js'
import { tusMount } from './tus-mount.js'

export interface AppDeps {
  config: Config
  logger: Logger
  store: TuskStore
  protocol: TusProtocol
  inFlight: Set<Promise<void>>
  locker: TuskLocker
  isShuttingDown: () => boolean
  /** Host middleware that sees every request after the request log (metrics). */
  observers?: Middleware[]
}

/** The Koa host: host concerns as middleware, then the tus protocol layer under the base path. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy })
  app.silent = true
  app.on('error', logHostError(deps.logger))
  app.use(requestLog(deps.logger, deps.config.basePath))
  for (const observer of deps.observers ?? []) app.use(observer)
  app.use(corsMiddleware(deps.config))
  app.use(healthRoutes(deps.store, deps.locker, deps.isShuttingDown))
  app.use(tusMount(deps.config.basePath, deps.protocol, deps.inFlight))
  return app
}
