import { randomUUID } from 'node:crypto'
import type { Upload } from '@tus/utils'
import type { Logger } from '../log.js'
import type { RequestInfo, UploadEvents } from '../upload/types.js'
import type { Deliverer } from './delivery.js'
import { type HookFormat, hookBody } from './formats.js'
import type { DeliveryRecord, Outbox } from './outbox/types.js'
import type { EventHookType, HookEvent, HookMetrics, TuskHooks } from './types.js'

/** post-receive at most once a second per upload (tusd's rule). */
const PROGRESS_INTERVAL_MS = 1_000
const PROGRESS_TRACKED = 10_000

/**
 * A fresh webhook-id: 122 random bits. randomUUID draws from a cached batch of entropy;
 * randomBytes(12) asked OpenSSL each time (3.5 vs 0.9 µs, per finished upload).
 */
export const newEventId = (): string => `msg_${randomUUID().replaceAll('-', '')}`

export interface EventDeps {
  readonly inProcess: TuskHooks
  readonly endpoints: readonly string[]
  readonly subscribed: ReadonlySet<string>
  readonly format: HookFormat
  readonly outbox?: Outbox
  readonly deliverer?: Deliverer
  readonly logger: Logger
  readonly metrics?: HookMetrics
  readonly describe: (type: EventHookType, upload: Upload, request: RequestInfo) => HookEvent
}

/**
 * The upload core's event sink for non-blocking hooks. For HTTP endpoints the event is written to
 * the outbox before the request is answered (this is awaited by the core), then delivered in the
 * background; in-process hooks are called and not awaited (their failure is logged, not retried).
 * Only the events someone listens to are installed: with no hooks, nothing runs per request.
 */
export function hookEvents(deps: EventDeps): UploadEvents | undefined {
  const listened = (type: EventHookType) =>
    deps.inProcess[type] !== undefined || (deps.outbox !== undefined && deps.subscribed.has(type))
  const callInProcess = (type: EventHookType, event: HookEvent, fn: (event: HookEvent) => unknown) => {
    deps.metrics?.invoked(type)
    Promise.resolve()
      .then(() => fn(event))
      .catch((error: unknown) => {
        deps.metrics?.failed(type)
        deps.logger.error({ err: error, hook: type }, 'in-process hook failed')
      })
  }
  const emitInProcess = (
    type: EventHookType,
    upload: Upload,
    request: RequestInfo,
    fn: (event: HookEvent) => unknown,
  ) => callInProcess(type, deps.describe(type, upload, request), fn)
  const emit = async (type: EventHookType, upload: Upload, request: RequestInfo) => {
    const event = deps.describe(type, upload, request)
    const fn = deps.inProcess[type]
    if (fn) callInProcess(type, event, fn)
    if (delivered(type)) {
      await (deps.outbox as Outbox).add(recordsOf(type, event))
      deps.deliverer?.kick()
    }
  }
  const delivered = (type: EventHookType) =>
    deps.outbox !== undefined && deps.subscribed.has(type) && deps.endpoints.length > 0
  /** One record per endpoint, sharing the event's webhook-id and body. */
  const recordsOf = (type: EventHookType, event: HookEvent, heldFor?: string): DeliveryRecord[] => {
    const eventId = newEventId()
    const body = hookBody(deps.format, event, new Date())
    const createdAt = Date.now()
    return deps.endpoints.map((url, index) => ({
      key: `${eventId}-${index}`,
      eventId,
      type,
      url,
      body,
      attempts: 0,
      createdAt,
      ...(heldFor !== undefined ? { heldFor } : {}),
    }))
  }
  const sink: UploadEvents = {}
  if (listened('post-create')) sink.created = (upload, request) => emit('post-create', upload, request)
  if (listened('post-finish')) {
    sink.finished = (upload, request, held) => {
      lastProgress.delete(upload.id)
      if (!held) return emit('post-finish', upload, request)
      // Written ahead and held (holdFinish): released now; in-process hooks are called as always.
      held.release()
      const fn = deps.inProcess['post-finish']
      return fn ? emitInProcess('post-finish', upload, request, fn) : undefined
    }
  }
  if (delivered('post-finish')) {
    const outbox = deps.outbox as Outbox
    sink.holdFinish = async (upload, request) => {
      const records = recordsOf('post-finish', deps.describe('post-finish', upload, request), upload.id)
      await outbox.add(records)
      const keys = records.map((r) => r.key)
      let settled = false
      return {
        release() {
          if (settled) return
          settled = true
          void outbox.release(keys).then(() => deps.deliverer?.kick())
        },
        drop() {
          if (settled) return
          settled = true
          outbox.drop(keys)
        },
      }
    }
  }
  if (listened('post-terminate')) {
    sink.terminated = (upload, request) => {
      lastProgress.delete(upload.id)
      return emit('post-terminate', upload, request)
    }
  }
  const lastProgress = new Map<string, number>()
  if (listened('post-receive')) {
    sink.progress = (upload, request) => {
      const now = Date.now()
      const last = lastProgress.get(upload.id)
      if (last !== undefined && now - last < PROGRESS_INTERVAL_MS) return
      if (lastProgress.size >= PROGRESS_TRACKED) {
        for (const [id, at] of lastProgress) if (now - at >= PROGRESS_INTERVAL_MS) lastProgress.delete(id)
      }
      lastProgress.set(upload.id, now)
      return emit('post-receive', upload, request)
    }
  }
  return Object.keys(sink).length > 0 ? sink : undefined
}
