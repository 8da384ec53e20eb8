import type { Dispatcher } from 'undici'
import type { Logger } from '../log.js'
import { postSigned } from './http-endpoint.js'
import type { Claimed, Outbox } from './outbox/types.js'
import type { HookMetrics } from './types.js'

export { STANDARD_RETRY_SCHEDULE } from './retry-schedule.js'

/** Deliveries in flight at once (per process): enough to keep a receiver busy, not to flood it. */
const MAX_IN_FLIGHT = 32

export interface DelivererOptions {
  readonly outbox: Outbox
  readonly sign: (id: string, at: Date, body: string) => string
  readonly timeoutMs: number
  /** Delays before the 2nd, 3rd, ... attempt, in ms; after the last, a dead letter. */
  readonly retrySchedule: readonly number[]
  /** How often the outbox is looked at for due records (and records other instances added). */
  readonly pollMs: number
  readonly logger: Logger
  readonly metrics?: HookMetrics
  /** Keep-alive connections to an endpoint (one pool per origin). */
  readonly dispatcherFor?: (url: string) => Dispatcher
}

export interface Deliverer {
  /** Look for due records now (after an event was added), without waiting for the next poll. */
  kick(): void
  close(): Promise<void>
}

/**
 * Delivers the outbox's records: each attempt is a signed POST with the record's stable
 * `webhook-id`; 2xx removes it; 410 disables the endpoint and dead-letters it; anything else is
 * retried on the schedule (with ±10% jitter), or after the receiver's Retry-After when it gives one,
 * until the schedule is used up: then it is a dead letter (`tusk-server hooks list`, metrics).
 */
export function startDeliverer(options: DelivererOptions): Deliverer {
  const { outbox, logger } = options
  let claiming: Promise<void> | undefined
  let again = false
  let closed = false
  const inFlight = new Set<Promise<void>>()

  // Up to MAX_IN_FLIGHT attempts run at once; when half of them are done, more are claimed (so a
  // shared outbox is asked in batches, not once per delivery).
  const pump = () => {
    if (closed) return
    if (claiming) {
      again = true
      return
    }
    claiming = (async () => {
      do {
        again = false
        const room = MAX_IN_FLIGHT - inFlight.size
        if (room <= 0) return
        let claimed: Claimed[]
        try {
          claimed = await outbox.claimDue(room)
        } catch (error) {
          logger.warn({ err: error }, 'hook outbox unavailable; will retry')
          return
        }
        for (const c of claimed) {
          const running: Promise<void> = attempt(c).finally(() => {
            inFlight.delete(running)
            if (inFlight.size <= MAX_IN_FLIGHT / 2) pump()
          })
          inFlight.add(running)
        }
        if (claimed.length === room) return // more when half of these are done
      } while (again && !closed)
    })().finally(() => {
      claiming = undefined
    })
  }

  async function attempt(claimed: Claimed): Promise<void> {
    const { record } = claimed
    try {
      if (await outbox.isDisabled(record.url)) {
        await outbox.deadLetter(claimed, 'the endpoint is disabled (it answered 410 Gone)')
        return
      }
      options.metrics?.invoked(record.type)
      const outcome = await postSigned(record.url, {
        id: record.eventId,
        body: record.body,
        sign: options.sign,
        timeoutMs: options.timeoutMs,
        readBody: false,
        ...(options.dispatcherFor ? { dispatcher: options.dispatcherFor(record.url) } : {}),
      })
      if (outcome.ok) {
        await outbox.complete(claimed)
        logger.debug(
          { hook: record.type, eventId: record.eventId, attempts: record.attempts + 1 },
          'hook delivered',
        )
        return
      }
      options.metrics?.failed(record.type)
      if (outcome.gone) {
        await outbox.disable(record.url)
        await outbox.deadLetter(claimed, outcome.reason)
        logger.warn(
          { hook: record.type, eventId: record.eventId },
          'hook endpoint answered 410 Gone: disabled',
        )
        return
      }
      const delay = outcome.retryAfterMs ?? jitter(options.retrySchedule[record.attempts])
      if (record.attempts >= options.retrySchedule.length || delay === undefined) {
        await outbox.deadLetter(claimed, outcome.reason)
        logger.error(
          {
            hook: record.type,
            eventId: record.eventId,
            attempts: record.attempts + 1,
            reason: outcome.reason,
          },
          'hook not delivered after the last retry: dead letter',
        )
        return
      }
      await outbox.reschedule(claimed, Date.now() + delay, outcome.reason)
      logger.info(
        {
          hook: record.type,
          eventId: record.eventId,
          attempts: record.attempts + 1,
          reason: outcome.reason,
          retryInMs: delay,
        },
        'hook delivery failed; will retry',
      )
    } catch (error) {
      // The outbox itself failed (Redis down, disk full): the claim is released after staleClaimMs.
      logger.warn(
        { err: error, eventId: record.eventId },
        'hook outbox update failed; the event stays in the outbox',
      )
    }
  }

  const timer = setInterval(pump, options.pollMs).unref()
  pump()
  return {
    kick: pump,
    async close() {
      closed = true
      clearInterval(timer)
      await claiming
      await Promise.all(inFlight)
    },
  }
}

function jitter(ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined
  return Math.round(ms * (0.9 + Math.random() * 0.2))
}
