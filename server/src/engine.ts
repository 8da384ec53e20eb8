import { setTimeout as sleep } from 'node:timers/promises'
import type { AccessControl } from './auth/index.js'
import { parseConfig } from './config/load.js'
import type { Config, ConfigInput } from './config/schema.js'
import type { HookSystem } from './hooks/index.js'
import type { TuskHooks } from './hooks/types.js'
import { createIetfProtocol } from './ietf/dispatch.js'
import { createLocker, type TuskLocker } from './lockers/index.js'
import { createLogger, type Logger } from './log.js'
import { createMetrics } from './metrics/metrics.js'
import { isComplete } from './model/record.js'
import { createStore } from './stores/index.js'
import type { TuskStore } from './stores/types.js'
import { createTusProtocol, type TusProtocol } from './tus/dispatch.js'
import { composeAuthorizers } from './upload/authorizers.js'
import { stagingDirectoryOf, sweepStagedChunks } from './upload/checksum/verified-chunk.js'
import { composeEvents } from './upload/compose-events.js'
import { createUploadCore, type UploadCore } from './upload/core.js'
import { readIfExists } from './upload/read-if-exists.js'
import type { Authorizer, UploadEvents } from './upload/types.js'

/** What an embedding application may add to the configuration: its own code in the request path. */
export interface ServerOptions {
  logger?: Logger
  /** Decides who may do what with uploads (everyone may do everything when absent). */
  authorizer?: Authorizer
  /** Told what happens to uploads: created, progress, finished, terminated. */
  events?: UploadEvents
  /** In-process hooks (README "Hooks and webhooks"): blocking ones are awaited and may answer. */
  hooks?: TuskHooks
}

/**
 * Tusk without a socket: the configuration (validated by the one schema), the store, the locker, the
 * upload core with authentication, limits, hooks and metrics, and the protocols over it. startServer
 * listens with it; the embedding API (embed.ts) mounts it in an application's own server.
 */
export interface TuskEngine {
  readonly config: Config
  readonly logger: Logger
  readonly store: TuskStore
  readonly locker: TuskLocker
  readonly core: UploadCore
  /** tus v1, and the resumable-upload draft for requests that name its interop version. */
  readonly protocol: TusProtocol
  readonly metrics: ReturnType<typeof createMetrics> | undefined
  /** Requests being answered; `track` adds one until it settles. */
  readonly inFlight: ReadonlySet<Promise<void>>
  track(work: Promise<void>): Promise<void>
  readonly shuttingDown: boolean
  /**
   * Stops: no new work (`shuttingDown`), in-flight requests get until `deadline` (then `cut` is
   * called to end them: their received bytes are kept), then timers, hooks, store and locker close.
   */
  close(options?: { deadline?: number; poll?: () => void; cut?: () => void }): Promise<void>
}

// Features that are off by default are loaded only when configured: authentication and limits bring
// jose and rate-limiter-flexible, hooks bring undici and standardwebhooks, and each module a process
// loads stays in its memory for good (issue 16: idle RSS).

/** Authentication and limits; the open server when neither is configured (nothing loaded). */
async function accessControlFor(config: Config, logger: Logger): Promise<AccessControl> {
  const keyed =
    config.jwtSecret !== undefined ||
    config.jwtSecretFile !== undefined ||
    config.jwtPublicKey !== undefined ||
    config.jwtJwksUrl !== undefined
  // As auth/limits.ts limitsEnabled(); a copy here so that the open server need not load the module.
  const limited =
    config.rateLimitRequests > 0 ||
    config.rateLimitCreations > 0 ||
    config.quotaUploads > 0 ||
    config.quotaBytes > 0
  // Off the loopback interface, the module is loaded anyway: it warns that anyone can upload.
  const loopback = config.host === 'localhost' || config.host === '::1' || config.host.startsWith('127.')
  if (!keyed && !limited && loopback) {
    return { authorizer: undefined, gate: undefined, events: undefined, close: async () => {} }
  }
  const { createAccessControl } = await import('./auth/index.js')
  return createAccessControl(config, logger)
}

/** Hooks: endpoints from the configuration, in-process hooks from an embedding application. */
async function hookSystemFor(
  config: Config,
  hooks: TuskHooks,
  logger: Logger,
  metrics: ReturnType<typeof createMetrics> | undefined,
  store: TuskStore,
): Promise<HookSystem> {
  if (config.hooksUrl.length === 0 && Object.keys(hooks).length === 0) {
    return {
      uploadHooks: undefined,
      events: undefined,
      authorizer: undefined,
      outbox: undefined,
      close: async () => {},
    }
  }
  const { createHookSystem } = await import('./hooks/index.js')
  // A post-finish event held by a process that died is delivered if its upload is complete.
  const isFinished = async (id: string) => {
    const upload = await readIfExists({ store }, id)
    return upload !== undefined && isComplete(upload)
  }
  return createHookSystem(config, hooks, logger, metrics?.hooks, undefined, isFinished)
}

export async function createTuskEngine(
  input: ConfigInput | Config,
  options: ServerOptions = {},
): Promise<TuskEngine> {
  const config = parseConfig(input)
  const logger = options.logger ?? createLogger(config)
  const store = await createStore(config)
  const locker = createLocker(config, logger)
  const access = await accessControlFor(config, logger)
  const metrics = config.metrics ? createMetrics() : undefined
  const hookSystem = await hookSystemFor(config, options.hooks ?? {}, logger, metrics, store)
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
    events: {
      ...composeEvents(access.events, options.events, metrics?.events, hookSystem.events),
      assemblyFailed: (uploadId, error) =>
        logger.warn(
          { uploadId, err: error },
          'assembling a final upload failed; its next read or the tending assembles it',
        ),
    },
    hooks: hookSystem.uploadHooks,
  })
  // Chunks staged for verification by a process that crashed are garbage: they never counted.
  const swept = await sweepStagedChunks(stagingDirectoryOf(store))
  if (swept > 0) logger.info({ count: swept }, 'removed chunks left staged by a crashed process')
  // Concatenations a crashed process left half-assembled are assembled again, in the background.
  core
    .tendConcatenations()
    .then(({ assembled, removed }) => {
      if (assembled + removed > 0) logger.info({ assembled, removed }, 'tended pending concatenations')
    })
    .catch((error: unknown) => logger.error({ err: error }, 'tending pending concatenations failed'))
  const ietf = createIetfProtocol({ core, config, logger })
  const protocol = createTusProtocol({ core, config, logger, gate: access.gate, ietf })

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

  const inFlight = new Set<Promise<void>>()
  let shuttingDown = false
  let closing: Promise<void> | undefined
  return {
    config,
    logger,
    store,
    locker,
    core,
    protocol,
    metrics,
    inFlight,
    async track(work) {
      inFlight.add(work)
      try {
        await work
      } finally {
        inFlight.delete(work)
      }
    },
    get shuttingDown() {
      return shuttingDown
    },
    close({ deadline = Date.now() + config.shutdownTimeout, poll, cut } = {}) {
      closing ??= (async () => {
        shuttingDown = true
        if (cleanup) clearInterval(cleanup)
        while (inFlight.size > 0 && Date.now() < deadline) {
          await Promise.race([Promise.allSettled([...inFlight]), sleep(100)])
          poll?.()
        }
        // Past the deadline: cut what is left. Each cut PATCH ends its body; the store keeps what came.
        if (inFlight.size > 0) cut?.()
        // At most 5 s more for the cut ones; the timer is cancelled once they settle, so an embedding
        // process that closes Tusk can exit at once instead of waiting it out.
        const settled = new AbortController()
        await Promise.race([
          Promise.allSettled([...inFlight]),
          sleep(5_000, undefined, { signal: settled.signal }).catch(() => {}),
        ])
        settled.abort()
        await hookSystem.close()
        await store.close()
        await locker.close()
        await access.close()
      })()
      return closing
    },
  }
}
