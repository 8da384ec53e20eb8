import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { createAccessControl } from './auth/index.js'
import { parseConfig } from './config/load.js'
import type { Config, ConfigInput } from './config/schema.js'
import { createHookSystem } from './hooks/index.js'
import type { TuskHooks } from './hooks/types.js'
import { createApp } from './host/app.js'
import { createIetfProtocol } from './ietf/dispatch.js'
import { createLocker, withRequestScope } from './lockers/index.js'
import { createLogger, type Logger } from './log.js'
import { createMetrics } from './metrics/metrics.js'
import { metricsRoute, startMetricsServer } from './metrics/serve.js'
import { createStore } from './stores/index.js'
import type { TuskStore } from './stores/types.js'
import { createTusProtocol } from './tus/dispatch.js'
import { composeAuthorizers } from './upload/authorizers.js'
import { stagingDirectoryOf, sweepStagedChunks } from './upload/checksum/verified-chunk.js'
import { composeEvents } from './upload/compose-events.js'
import { createUploadCore, type UploadCore } from './upload/core.js'
import type { Authorizer, UploadEvents } from './upload/types.js'

export interface TuskServer {
  /** The tus endpoint, e.g. http://127.0.0.1:1080/files */
  readonly url: string
  readonly origin: string
  readonly config: Config
  readonly logger: Logger
  readonly store: TuskStore
  /** The protocol-neutral upload operations this server answers with. */
  readonly core: UploadCore
  readonly http: http.Server
  /**
   * Graceful stop: stop accepting, let in-flight requests finish for up to shutdownTimeout, then cut
   * the rest (their received bytes are kept by the store), stop timers and close the store.
   */
  close(): Promise<void>
}

export interface ServerOptions {
  logger?: Logger
  /** Decides who may do what with uploads (everyone may do everything when absent). */
  authorizer?: Authorizer
  /** Told what happens to uploads: created, progress, finished, terminated. */
  events?: UploadEvents
  /** In-process hooks (README "Hooks and webhooks"): blocking ones are awaited and may answer. */
  hooks?: TuskHooks
}

export async function startServer(
  input: ConfigInput | Config = {},
  options: ServerOptions = {},
): Promise<TuskServer> {
  const config = parseConfig(input)
  const logger = options.logger ?? createLogger(config)
  const store = await createStore(config)
  const locker = createLocker(config, logger)
  const access = await createAccessControl(config, logger)
  const metrics = config.metrics ? createMetrics() : undefined
  const hookSystem = createHookSystem(config, options.hooks ?? {}, logger, metrics?.hooks)
  const outbox = hookSystem.outbox
  if (outbox) metrics?.setOutboxCounts(() => outbox.counts())
  // The pre-access hook is one more authorizer, asked after the others.
  const authorizers = [access.authorizer, options.authorizer, hookSystem.authorizer].filter(
    (a): a is Authorizer => a !== undefined,
  )
  const core = createUploadCore({
    store,
    locker: metrics ? metrics.instrumentLocker(locker) : locker,
    maxSize: config.maxSize,
    authorizer: authorizers.length > 0 ? composeAuthorizers(authorizers) : undefined,
    events: composeEvents(access.events, options.events, metrics?.events, hookSystem.events),
    hooks: hookSystem.uploadHooks,
  })
  // Chunks staged for verification by a process that crashed are garbage: they never counted.
  const swept = await sweepStagedChunks(stagingDirectoryOf(store))
  if (swept > 0) logger.info({ count: swept }, 'removed chunks left staged by a crashed process')
  const ietf = createIetfProtocol({ core, config, logger })
  const protocol = createTusProtocol({ core, config, logger, gate: access.gate, ietf })
  const inFlight = new Set<Promise<void>>()
  let shuttingDown = false
  const app = createApp({
    config,
    logger,
    store,
    locker,
    protocol,
    inFlight,
    isShuttingDown: () => shuttingDown,
    observers: metrics
      ? [metrics.requests, ...(config.metricsPort === undefined ? [metricsRoute(metrics.registry)] : [])]
      : [],
  })

  const server = http.createServer(
    {
      headersTimeout: config.headersTimeout,
      requestTimeout: config.requestTimeout,
      keepAliveTimeout: config.keepAliveTimeout,
      // Node enforces headersTimeout/requestTimeout only when it sweeps connections (every 30 s by
      // default), which would let a slow-loris client hold a socket far longer than configured.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(config.headersTimeout / 2))),
    },
    // The request scope lets a shared lock fence (cut) the request it was taken for when its lease
    // is lost. An in-memory lock has no lease to lose, and the scope's async-context tracking costs
    // every request ~45 µs of CPU (docs/benchmarks.md), so a single process goes without it.
    locker.kind === 'memory' ? app.callback() : withRequestScope(app.callback()),
  )
  metrics?.trackConnections(server)
  // Socket inactivity: a client that stops sending mid-body (slow loris) is cut after idleTimeout;
  // the bytes it did send are stored and its upload can be resumed.
  server.setTimeout(config.idleTimeout, (socket) => socket.destroy())
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !socket.writableEnded) {
      // A status the client can act on, and a body that says why (the connection closes after it).
      const [status, reason] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? ['431 Request Header Fields Too Large', 'request headers too large']
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? ['408 Request Timeout', 'request headers not received in time']
            : ['400 Bad Request', 'malformed HTTP request']
      const body = `${reason}\n`
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
    } else {
      socket.destroy()
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const metricsServer =
    metrics && config.metricsPort !== undefined
      ? await startMetricsServer(metrics.registry, config.host, config.metricsPort).catch(
          (error: unknown) => {
            server.close()
            throw error
          },
        )
      : undefined
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const origin = `http://${host}:${address.port}`

  const cleanup =
    config.cleanupInterval > 0 && config.uploadExpiry > 0
      ? setInterval(() => {
          core
            .deleteExpired()
            .then((count) => {
              if (count > 0) logger.info({ count }, 'deleted expired unfinished uploads')
              metrics?.expired(count)
            })
            .catch((error: unknown) => logger.error({ err: error }, 'expired-upload cleanup failed'))
        }, config.cleanupInterval).unref()
      : undefined

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true
      if (cleanup) clearInterval(cleanup)
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const deadline = Date.now() + config.shutdownTimeout
      while (inFlight.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.allSettled([...inFlight]), sleep(100)])
        server.closeIdleConnections()
      }
      // Past the deadline: cut what is left. Each cut PATCH ends its body; the store keeps what came.
      server.closeAllConnections()
      await Promise.race([Promise.allSettled([...inFlight]), sleep(5_000)])
      await stopped
      if (metricsServer) await new Promise((resolve) => metricsServer.close(resolve))
      await hookSystem.close()
      await store.close()
      await locker.close()
      await access.close()
    })()
    return closing
  }

  logger.debug({ url: `${origin}${config.basePath}` }, 'listening')
  return {
    url: `${origin}${config.basePath === '/' ? '' : config.basePath}`,
    origin,
    config,
    logger,
    store,
    core,
    http: server,
    close,
  }
}
