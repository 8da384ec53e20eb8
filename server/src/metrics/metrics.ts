import type http from 'node:http'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { errorCodeOf } from '../failures.js'
import type { HookMetrics } from '../hooks/types.js'
import type { RequestObserver } from '../host/request-log.js'
import type { TuskLocker } from '../lockers/index.js'
import type { UploadEvents } from '../upload/types.js'

// Tusk's Prometheus metrics (prom-client), with its default process metrics. Labels are bounded
// sets only (method, status, error code, hook name): never an upload id, a path or a user, which
// would make one series per upload. Every update is O(1).

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'])

export interface TuskMetrics {
  readonly registry: Registry
  /**
   * Counts every request when it is done (the host's request log calls it): by method and status,
   * its duration, error codes, upload bytes.
   */
  readonly requests: RequestObserver
  /** Uploads created, finished, terminated, and those unfinished. */
  readonly events: UploadEvents
  readonly hooks: HookMetrics
  /** The locker, with the time each lock waited observed. */
  instrumentLocker(locker: TuskLocker): TuskLocker
  /** Open connections of the HTTP server. */
  trackConnections(server: http.Server): void
  /** Where the hook outbox's pending and dead-lettered counts come from (read at scrape time). */
  setOutboxCounts(counts: () => Promise<{ pending: number; dead: number }>): void
  /** Uploads removed by expiry (no longer unfinished). */
  expired(count: number): void
}

export function createMetrics(): TuskMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const requests = new Counter({
    name: 'tusk_requests_total',
    help: 'HTTP requests answered, by method and status',
    labelNames: ['method', 'status'] as const,
    registers,
  })
  const duration = new Histogram({
    name: 'tusk_request_duration_seconds',
    help: 'time from a request arriving to its response being sent, by method',
    labelNames: ['method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  })
  const bytes = new Counter({
    name: 'tusk_bytes_received_total',
    help: 'upload bytes stored by answered PATCH and creation-with-upload requests',
    registers,
  })
  const errors = new Counter({
    name: 'tusk_errors_total',
    help: 'error responses by error code (see the README Errors table)',
    labelNames: ['code'] as const,
    registers,
  })
  const rateLimited = new Counter({
    name: 'tusk_rate_limit_rejections_total',
    help: 'requests refused with 429 Too Many Requests',
    registers,
  })
  const created = new Counter({ name: 'tusk_uploads_created_total', help: 'uploads created', registers })
  const finished = new Counter({
    name: 'tusk_uploads_finished_total',
    help: 'uploads that became complete',
    registers,
  })
  const terminated = new Counter({
    name: 'tusk_uploads_terminated_total',
    help: 'uploads terminated (DELETE)',
    registers,
  })
  const unfinished = new Gauge({
    name: 'tusk_uploads_unfinished',
    help: 'uploads created by this instance and not yet finished, terminated or expired (sum over instances)',
    registers,
  })
  const connections = new Gauge({ name: 'tusk_connections_open', help: 'open client connections', registers })
  const lockWait = new Histogram({
    name: 'tusk_lock_wait_seconds',
    help: 'time waited for an upload lock (its count is the number of lock waits)',
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10],
    registers,
  })
  const hookInvocations = new Counter({
    name: 'tusk_hook_invocations_total',
    help: 'hook calls and webhook delivery attempts, by hook',
    labelNames: ['hook'] as const,
    registers,
  })
  const hookFailures = new Counter({
    name: 'tusk_hook_failures_total',
    help: 'hook calls and webhook delivery attempts that failed, by hook',
    labelNames: ['hook'] as const,
    registers,
  })
  let outboxCounts: (() => Promise<{ pending: number; dead: number }>) | undefined
  let lastCounts: Promise<{ pending: number; dead: number }> | undefined
  // Both gauges read the outbox once per scrape.
  const counts = () => {
    if (!outboxCounts) return Promise.resolve({ pending: 0, dead: 0 })
    lastCounts ??= outboxCounts()
      .catch(() => ({ pending: Number.NaN, dead: Number.NaN }))
      .finally(() => setImmediate(() => (lastCounts = undefined)))
    return lastCounts
  }
  new Gauge({
    name: 'tusk_outbox_pending',
    help: 'webhook deliveries waiting in the outbox (due now or for a retry)',
    registers,
    async collect() {
      this.set((await counts()).pending)
    },
  })
  new Gauge({
    name: 'tusk_outbox_dead_letters',
    help: 'webhook deliveries given up after the last retry (tusk-server hooks list)',
    registers,
    async collect() {
      this.set((await counts()).dead)
    },
  })

  // The series of each method and status, looked up once: prom-client's inc({ labels }) builds and
  // hashes a key from the label object on every call.
  const methodSeries = new Map<
    string,
    { duration: ReturnType<typeof duration.labels>; byStatus: Map<number, Counter.Internal> }
  >()
  const seriesOf = (method: string) => {
    let series = methodSeries.get(method)
    if (!series) {
      series = { duration: duration.labels(method), byStatus: new Map() }
      methodSeries.set(method, series)
    }
    return series
  }
  const observeRequest: RequestObserver = (req, res, ms) => {
    const method = METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER'
    const status = res.statusCode
    const series = seriesOf(method)
    let count = series.byStatus.get(status)
    if (!count) {
      count = requests.labels(method, String(status))
      series.byStatus.set(status, count)
    }
    count.inc()
    series.duration.observe(ms / 1000)
    const code = errorCodeOf(res)
    if (code) errors.inc({ code })
    if (status === 429) rateLimited.inc()
    // Bytes stored, from the offsets the request started at and was answered with.
    const answered = res.getHeader('upload-offset')
    if (answered !== undefined && (status === 204 || status === 201)) {
      const before = method === 'PATCH' ? Number(req.headers['upload-offset']) : 0
      const stored = Number(answered) - before
      if (Number.isFinite(stored) && stored > 0) bytes.inc(stored)
    }
  }

  return {
    registry,
    requests: observeRequest,
    events: {
      created(_upload) {
        created.inc()
        unfinished.inc()
      },
      finished() {
        finished.inc()
        unfinished.dec()
      },
      terminated(upload) {
        terminated.inc()
        if (upload.size === undefined || upload.offset < upload.size) unfinished.dec()
      },
    },
    hooks: {
      invoked: (type) => hookInvocations.inc({ hook: type }),
      failed: (type) => hookFailures.inc({ hook: type }),
    },
    instrumentLocker(locker) {
      return {
        kind: locker.kind,
        checkReady: () => locker.checkReady(),
        close: () => locker.close(),
        newLock(id) {
          const lock = locker.newLock(id)
          return {
            async lock(signal, requestRelease) {
              const started = performance.now()
              await lock.lock(signal, requestRelease)
              lockWait.observe((performance.now() - started) / 1000)
            },
            unlock: () => lock.unlock(),
          }
        },
      }
    },
    trackConnections(server) {
      server.on('connection', (socket) => {
        connections.inc()
        socket.once('close', () => connections.dec())
      })
    },
    setOutboxCounts(fn) {
      outboxCounts = fn
    },
    expired(count) {
      unfinished.dec(count)
    },
  }
}
