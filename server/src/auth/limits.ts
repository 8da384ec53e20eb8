import type { Upload } from '@tus/utils'
import {
  type IRateLimiterOptions,
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'
import type { Config } from '../config/schema.js'
import { ERR, type TuskError } from '../errors.js'
import type { RedisClient } from '../lockers/redis-connection.js'
import { ownerOf } from '../model/record.js'
import type { Authorizer, RequestInfo, UploadEvents } from '../upload/types.js'
import { clientIp } from './client-ip.js'

export type LimitsConfig = Pick<
  Config,
  'rateLimitRequests' | 'rateLimitCreations' | 'quotaUploads' | 'quotaBytes' | 'uploadExpiry' | 'trustProxy'
>

export const limitsEnabled = (config: LimitsConfig): boolean =>
  config.rateLimitRequests > 0 ||
  config.rateLimitCreations > 0 ||
  config.quotaUploads > 0 ||
  config.quotaBytes > 0

/**
 * A limiter of rate-limiter-flexible: in Redis when Tusk shares Redis with other instances (so every
 * instance counts against one limit), with an in-memory limiter as insurance while Redis is down;
 * in memory otherwise.
 */
function limiter(redis: RedisClient | undefined, options: IRateLimiterOptions): RateLimiterAbstract {
  if (!redis) return new RateLimiterMemory(options)
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    insuranceLimiter: new RateLimiterMemory(options),
  })
}

const retryAfter = (res: unknown) =>
  String(Math.max(1, Math.ceil((res instanceof RateLimiterRes ? res.msBeforeNext : 1_000) / 1_000)))

/** Consumes points, or throws the 429 `refuse` makes (with Retry-After); other failures pass through. */
async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
  refuse: (headers: Record<string, string>) => TuskError,
  { refund = false }: { refund?: boolean } = {},
): Promise<void> {
  try {
    await limiter.consume(key, points)
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error
    // A refused consume still counted its points: a quota gives back what was never used (a rate
    // keeps counting attempts, so a client that floods stays refused).
    if (refund) await limiter.reward(key, points)
    throw refuse({ 'Retry-After': retryAfter(error) })
  }
}

export interface Limits {
  /** Requests per second per client IP: run before a request is handled. */
  readonly gate: ((request: RequestInfo) => Promise<void>) | undefined
  /** Creations per minute and the quotas, checked when an upload is created. */
  readonly authorizer: Authorizer
  /** Gives an owner's quota back when one of its uploads finishes or is terminated. */
  readonly events: UploadEvents
}

/**
 * Rate limits and quotas. `ownerOfRequest` names the authenticated owner (undefined when Tusk is open:
 * then the client IP stands in for it in the creation rate, and quotas, which are an owner's, do not
 * apply).
 */
export function createLimits(
  config: LimitsConfig,
  redis: RedisClient | undefined,
  ownerOfRequest: (request: RequestInfo) => string | undefined,
): Limits {
  const keyOf = (request: RequestInfo) =>
    ownerOfRequest(request) ?? `ip:${clientIp(request, config.trustProxy)}`
  const prefix = 'tusk:limit'
  // A quota's count is kept as long as an unfinished upload lives; then it is forgotten with it.
  const quotaSeconds = config.uploadExpiry > 0 ? Math.ceil(config.uploadExpiry / 1_000) : 0

  const requests =
    config.rateLimitRequests > 0
      ? limiter(redis, { keyPrefix: `${prefix}:requests`, points: config.rateLimitRequests, duration: 1 })
      : undefined
  const creations =
    config.rateLimitCreations > 0
      ? limiter(redis, { keyPrefix: `${prefix}:creations`, points: config.rateLimitCreations, duration: 60 })
      : undefined
  const uploads =
    config.quotaUploads > 0
      ? limiter(redis, {
          keyPrefix: `${prefix}:uploads`,
          points: config.quotaUploads,
          duration: quotaSeconds,
        })
      : undefined
  const bytes =
    config.quotaBytes > 0
      ? limiter(redis, { keyPrefix: `${prefix}:bytes`, points: config.quotaBytes, duration: quotaSeconds })
      : undefined

  const give = async (upload: Upload) => {
    const owner = ownerOf(upload)
    if (!owner) return
    await Promise.all([
      uploads?.reward(owner, 1),
      bytes && upload.size ? bytes.reward(owner, upload.size) : undefined,
    ])
  }

  return {
    gate: requests
      ? (request) =>
          consume(requests, clientIp(request, config.trustProxy), 1, (headers) =>
            ERR.RATE_LIMITED(`limit ${config.rateLimitRequests} requests per second`, { headers }),
          )
      : undefined,
    authorizer: {
      async authorize(check) {
        if (check.intent !== 'create' && check.intent !== 'concatenate') return undefined
        const key = keyOf(check.request)
        if (creations) {
          await consume(creations, key, 1, (headers) =>
            ERR.RATE_LIMITED(`limit ${config.rateLimitCreations} new uploads per minute`, { headers }),
          )
        }
        // Quotas belong to owners: an open server (no authentication) has none to count against.
        const owner = ownerOfRequest(check.request)
        if (check.intent !== 'create' || owner === undefined) return undefined
        if (uploads) {
          await consume(
            uploads,
            owner,
            1,
            (headers) => ERR.QUOTA_EXCEEDED(`limit ${config.quotaUploads} unfinished uploads`, { headers }),
            { refund: true },
          )
        }
        if (bytes && check.size) {
          try {
            await consume(
              bytes,
              owner,
              check.size,
              (headers) =>
                ERR.QUOTA_EXCEEDED(`limit ${config.quotaBytes} bytes in unfinished uploads`, { headers }),
              { refund: true },
            )
          } catch (error) {
            await uploads?.reward(owner, 1)
            throw error
          }
        }
        return undefined
      },
    },
    events: uploads || bytes ? { finished: give, terminated: give } : {},
  }
}
