import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Middleware } from 'koa'
import type { Registry } from 'prom-client'
import type { Config, ConfigInput } from './config/schema.js'
import { createTuskEngine, type ServerOptions } from './engine.js'
import { createApp } from './host/app.js'
import { underBasePath } from './host/tus-mount.js'
import { withRequestScope } from './lockers/index.js'
import type { Logger } from './log.js'
import type { TuskStore } from './stores/types.js'
import type { UploadCore } from './upload/core.js'

/**
 * Tusk inside an application's own server. The options are the standalone server's (the one config
 * schema, validated the same way, with the same error messages) plus the in-process seams; set
 * `basePath` to where the uploads are served in the host application (the default is /files).
 */
export interface EmbeddedTusk {
  readonly config: Config
  readonly logger: Logger
  readonly store: TuskStore
  readonly core: UploadCore
  /**
   * Tusk's Prometheus metrics (README "Metrics"); undefined with `metrics: false`. Not served by
   * createTusk: the app serves them where it likes (`await metrics.metrics()`, `metrics.contentType`).
   */
  readonly metrics: Registry | undefined
  /**
   * Koa middleware for an existing Koa app (`app.use(tusk.koa)`): requests under `basePath` are
   * answered by Tusk (CORS, request log, tus v1 and the draft protocol); every other request goes on
   * to the app's own middleware untouched.
   */
  readonly koa: Middleware
  /**
   * A Node request handler for node:http, Express and anything that passes (req, res[, next]):
   * requests under `basePath` are answered; others go to `next` (404 when there is none). In Express,
   * mount it with `app.use(tusk.handle)`, or under a path (`app.use('/uploads', tusk.handle)`, with
   * `basePath: '/uploads'`): it reads Express's `originalUrl`.
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void
  /** Stops: in-flight uploads get `shutdownTimeout` to finish; then hooks, store and locker close. */
  close(): Promise<void>
}

export async function createTusk(
  input: ConfigInput | Config = {},
  options: ServerOptions = {},
): Promise<EmbeddedTusk> {
  const engine = await createTuskEngine(input, options)
  const app = createApp(engine, { health: false })
  const callback = app.callback()
  // As in startServer: a shared locker fences the request a lost lease was taken for.
  const serve = engine.locker.kind === 'memory' ? callback : withRequestScope(callback)
  const under = underBasePath(engine.config.basePath)
  const pathOf = (url: string | undefined) => (url ?? '/').split('?', 1)[0] ?? '/'
  return {
    config: engine.config,
    logger: engine.logger,
    store: engine.store,
    core: engine.core,
    metrics: engine.metrics?.registry,
    koa: async (ctx, next) => {
      if (!under(pathOf(ctx.originalUrl))) return next()
      // Tusk writes the whole response itself.
      ctx.respond = false
      ctx.req.url = ctx.originalUrl
      await callback(ctx.req, ctx.res)
    },
    handle(req, res, next) {
      // Express strips a mount path from req.url; the upload URLs Tusk makes need the whole path.
      const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url
      if (!under(pathOf(url))) {
        if (next) return next()
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n')
        return
      }
      req.url = url
      serve(req, res)
    },
    close: () => engine.close(),
  }
}
