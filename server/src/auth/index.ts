import type { Config } from '../config/schema.js'
import { createRedisClient, type RedisClient } from '../lockers/redis-connection.js'
import type { Logger } from '../log.js'
import { composeAuthorizers } from '../upload/authorizers.js'
import type { Authorizer, RequestInfo, UploadEvents } from '../upload/types.js'
import { createJwtAuthorizer } from './jwt-authorizer.js'
import { type AuthConfig, loadVerificationKey } from './keys.js'
import { createLimits, type LimitsConfig, limitsEnabled } from './limits.js'

export { mintDownloadToken, mintUploadToken } from './mint-token.js'

/** What authentication and limits add to a server: an authorizer, a request gate, quota events. */
export interface AccessControl {
  readonly authorizer: Authorizer | undefined
  readonly gate: ((request: RequestInfo) => Promise<void>) | undefined
  readonly events: UploadEvents | undefined
  close(): Promise<void>
}

/**
 * Authentication (a JWT on every request, owners recorded and checked) when a key source is
 * configured, and rate limits and quotas when set; nothing at all otherwise (the open server).
 * Throws ConfigError when a key cannot be loaded.
 */
export async function createAccessControl(
  config: AuthConfig & LimitsConfig & Pick<Config, 'redisUrl' | 'host'>,
  logger: Logger,
): Promise<AccessControl> {
  const key = await loadVerificationKey(config)
  const jwt = key ? createJwtAuthorizer(config, key) : undefined
  if (!jwt && !isLoopback(config.host)) {
    logger.warn(
      { host: config.host },
      'authentication is off and Tusk listens beyond loopback: anyone who reaches it can upload, read and delete (set --jwt-secret, --jwt-public-key or --jwt-jwks-url)',
    )
  }
  const enabled = limitsEnabled(config)
  // Limits count in Redis when instances share one, so that the limit holds for all of them together.
  const redis: RedisClient | undefined =
    enabled && config.redisUrl ? createRedisClient(config.redisUrl, { maxRetriesPerRequest: 1 }) : undefined
  const limits = enabled
    ? createLimits(config, redis, (request) => jwt?.identityOf(request)?.owner)
    : undefined
  const authorizers = [jwt, limits?.authorizer].filter((a): a is Authorizer => a !== undefined)
  return {
    authorizer: authorizers.length > 0 ? composeAuthorizers(authorizers) : undefined,
    gate: limits?.gate,
    events: limits?.events,
    async close() {
      redis?.disconnect()
    },
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.')
