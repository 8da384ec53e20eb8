import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Config, ConfigInput } from './config/schema.js'
import { createTuskEngine, type ServerOptions } from './engine.js'
import { createApp } from './host/app.js'
import { withRequestScope } from './lockers/index.js'
import type { Logger } from './log.js'
import { metricsRoute, startMetricsServer } from './metrics/serve.js'
import type { TuskStore } from './stores/types.js'
import type { UploadCore } from './upload/core.js'

export type { ServerOptions } from './engine.js'

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

/** Tusk as a standalone server: the engine (engine.ts) behind its own HTTP listener. */
export async function startServer(
  input: ConfigInput | Config = {},
  options: ServerOptions = {},
): Promise<TuskServer> {
  const engine = await createTuskEngine(input, options)
  const { config, logger, metrics, core, store } = engine
  const app = createApp(engine, {
    health: true,
    routes: metrics && config.metricsPort === undefined ? [metricsRoute(metrics.registry)] : [],
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
    engine.locker.kind === 'memory' ? app.callback() : withRequestScope(app.callback()),
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
    // A burst of thousands of connections (uploads starting at once behind a load balancer) overflows
    // Node's default accept queue of 511; a dropped SYN is retried by the client after 1, 3, 7 s, which
    // is what ran creations into the headers timeout in the 3,000-upload crowd bench. The kernel caps
    // the queue at net.core.somaxconn (4096 on current kernels).
    server.listen({ port: config.port, host: config.host, backlog: 4096 }, () => {
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

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await engine.close({
        poll: () => server.closeIdleConnections(),
        // Past the deadline: each cut PATCH ends its body; the store keeps what came.
        cut: () => server.closeAllConnections(),
      })
      server.closeAllConnections()
      await stopped
      if (metricsServer) await new Promise((resolve) => metricsServer.close(resolve))
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
