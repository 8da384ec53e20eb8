import type { Upload } from '@tus/utils'
import type { Config } from '../config/schema.js'
import { createRedisClient } from '../lockers/redis-connection.js'
import type { Logger } from '../log.js'
import type { UploadHooks } from '../upload/hooks.js'
import type { Authorizer, RequestInfo, UploadEvents } from '../upload/types.js'
import { type BlockingDeps, blockingUploadHooks, preAccessAuthorizer } from './blocking.js'
import { type Deliverer, startDeliverer } from './delivery.js'
import { EndpointPools } from './endpoint-pools.js'
import { hookEvents, newEventId } from './events.js'
import { createFileOutbox } from './outbox/file-outbox.js'
import { createRedisOutbox } from './outbox/redis-outbox.js'
import type { IsFinished, Outbox } from './outbox/types.js'
import { describeRequest, describeUpload, storageLocator } from './payload.js'
import { createSigner } from './signing.js'
import type { HookEvent, HookMetrics, HookType, TuskHooks } from './types.js'

export type HooksConfig = Pick<
  Config,
  | 'hooksUrl'
  | 'hooksEvents'
  | 'hooksSecret'
  | 'hooksTimeout'
  | 'hooksFormat'
  | 'hooksRetrySchedule'
  | 'hooksKeepHeaders'
  | 'redisUrl'
  | 'dataDir'
  | 'store'
  | 's3Bucket'
>

/** What the server plugs into the upload core; parts nobody listens to are undefined (no cost). */
export interface HookSystem {
  readonly uploadHooks: UploadHooks | undefined
  readonly events: UploadEvents | undefined
  readonly authorizer: Authorizer | undefined
  readonly outbox: Outbox | undefined
  close(): Promise<void>
}

/** A claim older than this is taken to belong to a process that died mid-delivery. */
const staleClaimMs = (config: HooksConfig) => config.hooksTimeout + 30_000

/** The outbox this configuration uses: Redis when shared, else a directory in the data dir. */
export function openOutbox(config: HooksConfig, isFinished?: IsFinished): Outbox {
  if (config.redisUrl) {
    const redis = createRedisClient(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true })
    return createRedisOutbox(redis, staleClaimMs(config), isFinished)
  }
  return createFileOutbox(config.dataDir, staleClaimMs(config), isFinished)
}

export function createHookSystem(
  config: HooksConfig,
  inProcess: TuskHooks,
  logger: Logger,
  metrics?: HookMetrics,
  pollMs = 500,
  /** Settles the held post-finish events of processes that died (see DeliveryRecord.heldFor). */
  isFinished?: IsFinished,
): HookSystem {
  const endpoints = config.hooksUrl
  const subscribed = new Set<string>(config.hooksEvents)
  const storageOf = storageLocator(config)
  const keep = new Set(config.hooksKeepHeaders)
  const describe = (type: HookType, upload: Upload, request: RequestInfo): HookEvent => ({
    type,
    upload: describeUpload(upload, storageOf),
    request: describeRequest(request, keep),
  })
  const sign = createSigner(config.hooksSecret)
  // Keep-alive connections to the endpoints, shared by blocking hooks and deliveries: one TCP
  // connection per delivery cost more than the delivery itself.
  const pools = endpoints.length > 0 ? new EndpointPools() : undefined
  const dispatcherFor = pools ? (url: string) => pools.for(url) : undefined
  const blockingDeps: BlockingDeps = {
    inProcess,
    endpoints,
    subscribed,
    format: config.hooksFormat,
    sign,
    timeoutMs: config.hooksTimeout,
    logger,
    metrics,
    describe,
    newEventId,
    ...(dispatcherFor ? { dispatcherFor } : {}),
  }
  const uploadHooks = blockingUploadHooks(blockingDeps)
  const authorizer = preAccessAuthorizer(blockingDeps, (uploads) =>
    uploads.map((u) => describeUpload(u, storageOf)),
  )
  const wantsOutbox = endpoints.length > 0 && config.hooksEvents.some((type) => !type.startsWith('pre-'))
  const outbox = wantsOutbox ? openOutbox(config, isFinished) : undefined
  let deliverer: Deliverer | undefined
  if (outbox) {
    deliverer = startDeliverer({
      outbox,
      sign,
      timeoutMs: config.hooksTimeout,
      retrySchedule: config.hooksRetrySchedule,
      pollMs,
      logger,
      metrics,
      ...(dispatcherFor ? { dispatcherFor } : {}),
    })
  }
  const events = hookEvents({
    inProcess,
    endpoints,
    subscribed,
    format: config.hooksFormat,
    outbox,
    deliverer,
    logger,
    metrics,
    describe,
  })
  return {
    uploadHooks: Object.keys(uploadHooks).length > 0 ? uploadHooks : undefined,
    events,
    authorizer,
    outbox,
    async close() {
      await deliverer?.close()
      await outbox?.close()
      await pools?.close()
    },
  }
}

export type { HookEvent, HookRequest, HookResponse, HookType, HookUpload, TuskHooks } from './types.js'
export { HOOK_TYPES } from './types.js'
