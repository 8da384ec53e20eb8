import type { IncomingMessage, ServerResponse } from 'node:http'
import Koa, { type Middleware } from 'koa'
import type { TuskEngine } from '../engine.js'
import { corsMiddleware, simpleCorsHeaders } from './cors.js'
import { healthRoutes } from './health.js'
import { logHostError, type RequestObserver, requestLog } from './request-log.js'
import { tusMount, underBasePath } from './tus-mount.js'

export interface AppOptions {
  /** /health and /ready (the standalone server; an embedding application has its own). */
  health: boolean
  /** Koa routes of the host besides health (GET /metrics on the tus port). */
  routes?: Middleware[]
}

/** The host as a node:http request listener. */
export interface HostApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => void
}

/**
 * The host: the request log (with the metrics' request observer) sees every request; then a tus
 * request other than OPTIONS goes straight to the protocol layer with the CORS headers @koa/cors
 * would set, and everything else (OPTIONS: discovery and preflights; health, /metrics, 404s) to Koa
 * with @koa/cors. Koa on the upload path (its context objects, on-finished, the middleware chain)
 * cost ~30 µs of CPU per 1 KiB upload, for a response Tusk writes itself.
 */
export function createApp(engine: TuskEngine, options: AppOptions): HostApp {
  const { config, logger } = engine
  const app = new Koa({ proxy: config.trustProxy })
  app.silent = true
  const onError = logHostError(logger)
  app.on('error', onError)
  app.use(corsMiddleware(config))
  if (options.health) app.use(healthRoutes(engine.store, engine.locker, () => engine.shuttingDown))
  for (const route of options.routes ?? []) app.use(route)
  app.use(tusMount(config.basePath, engine))

  const observers: RequestObserver[] = engine.metrics ? [engine.metrics.requests] : []
  const log = requestLog(logger, config.basePath, observers)
  const cors = simpleCorsHeaders(config)
  const under = underBasePath(config.basePath)
  // At the root, the upload path holds /health and /metrics too: Koa's routes come first there.
  const direct = config.basePath !== '/'
  return {
    callback() {
      const koa = app.callback()
      return (req, res) => {
        log(req, res)
        const url = req.url ?? '/'
        const query = url.indexOf('?')
        if (!direct || req.method === 'OPTIONS' || !under(query === -1 ? url : url.slice(0, query))) {
          koa(req, res)
          return
        }
        // As Koa starts every response, so that a client gone before an answer logs the same status.
        res.statusCode = 404
        cors(req, res)
        engine.track(engine.protocol.handle(req, res)).catch((error: unknown) => {
          onError(error, { req })
          if (!res.headersSent) res.writeHead(500).end()
          else res.destroy()
        })
      }
    },
  }
}
