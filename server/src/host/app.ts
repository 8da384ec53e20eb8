import Koa, { type Middleware } from 'koa'
import type { TuskEngine } from '../engine.js'
import { corsMiddleware } from './cors.js'
import { healthRoutes } from './health.js'
import { logHostError, requestLog } from './request-log.js'
import { tusMount } from './tus-mount.js'

export interface AppOptions {
  /** /health and /ready (the standalone server; an embedding application has its own). */
  health: boolean
  /** Host middleware that sees every request after the request log (metrics). */
  observers?: Middleware[]
}

/**
 * The Koa host: host concerns as middleware (request log, metrics, CORS, health), then the upload
 * protocols under the base path.
 */
export function createApp(engine: TuskEngine, options: AppOptions): Koa {
  const { config, logger } = engine
  const app = new Koa({ proxy: config.trustProxy })
  app.silent = true
  app.on('error', logHostError(logger))
  app.use(requestLog(logger, config.basePath))
  for (const observer of options.observers ?? []) app.use(observer)
  app.use(corsMiddleware(config))
  if (options.health) app.use(healthRoutes(engine.store, engine.locker, () => engine.shuttingDown))
  app.use(tusMount(config.basePath, engine))
  return app
}
