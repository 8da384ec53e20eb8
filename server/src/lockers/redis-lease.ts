import { once } from 'node:events'
import type { RedisOptions } from 'ioredis'
import { ERR } from '../errors.js'
import type { Logger } from '../log.js'
import type { LeaseBackend } from './lease-locker.js'
import { createRedisClient, type RedisClient } from './redis-connection.js'

const PREFIX = 'tusk:'
// Each script touches one key, so lock keys may live in any slot of a Redis Cluster; PUBLISH reaches
// subscribers on every node of a cluster.
export const lockKey = (id: string) => `${PREFIX}lock:${id}`
const RELEASE_REQUESTS = `${PREFIX}lock-release-requested`
const RELEASED = `${PREFIX}lock-released`

// Compare-and-act scripts: only the token that took a lease may extend or drop it.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  if ARGV[4] == '1' then redis.call('publish', ARGV[2], ARGV[3]) end
  return 1
else return 0 end`

/** How long a request waits for a (re)connecting Redis before it is answered 503. */
const CONNECT_GRACE = 1_000

type ScriptedRedis = RedisClient & {
  tuskRenew(key: string, token: string, ttl: number): Promise<number>
  tuskRelease(key: string, token: string, channel: string, id: string, notify: '0' | '1'): Promise<number>
}

/**
 * Leases in Redis: SET NX PX to take, a Lua compare-and-pexpire to renew, a Lua compare-and-delete
 * (plus a publish) to release; release requests travel over pub/sub to whichever instance holds
 * the lease. Commands fail fast while Redis is away (no offline queue): a request that needs a lock
 * then gets 503, and ioredis keeps reconnecting in the background.
 */
export function createRedisLeaseBackend(url: string, logger: Logger): LeaseBackend {
  const common: RedisOptions = {
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
    lazyConnect: false,
  }
  const commands = createRedisClient(url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
  }) as ScriptedRedis
  commands.defineCommand('tuskRenew', { numberOfKeys: 1, lua: RENEW })
  commands.defineCommand('tuskRelease', { numberOfKeys: 1, lua: RELEASE })
  // A subscriber connection can only subscribe; ioredis re-subscribes after every reconnect.
  const subscriber = createRedisClient(url, { ...common, maxRetriesPerRequest: null })
  watchHealth(commands, logger)
  subscriber.on('error', () => {}) // reported once through `commands`
  let closed = false

  const unavailable = (cause?: unknown) =>
    ERR.UNAVAILABLE('the shared lock service (Redis) is unreachable; retry shortly', {
      cause,
      headers: { 'Retry-After': '2' },
    })

  async function ready(): Promise<void> {
    if (commands.status === 'ready') return
    if (closed || commands.status === 'end') throw unavailable()
    const timeout = AbortSignal.timeout(CONNECT_GRACE)
    try {
      await once(commands, 'ready', { signal: timeout })
    } catch {
      throw unavailable()
    }
  }

  async function run<T>(command: () => Promise<T>): Promise<T> {
    await ready()
    try {
      return await command()
    } catch (error) {
      throw unavailable(error)
    }
  }

  return {
    kind: 'redis',
    async checkReady() {
      await run(() => commands.ping())
    },
    async tryAcquire(id, token, ttl) {
      return (await run(() => commands.set(lockKey(id), token, 'PX', ttl, 'NX'))) === 'OK'
    },
    async renew(id, token, ttl) {
      return (await run(() => commands.tuskRenew(lockKey(id), token, ttl))) === 1
    },
    async release(id, token, notify) {
      await run(() => commands.tuskRelease(lockKey(id), token, RELEASED, id, notify ? '1' : '0'))
    },
    async requestRelease(id) {
      await run(() => commands.publish(RELEASE_REQUESTS, id))
    },
    listen(events) {
      subscriber.subscribe(RELEASE_REQUESTS, RELEASED).catch(() => {
        // Retried by ioredis on reconnect (autoResubscribe); failures are reported via `commands`.
      })
      subscriber.on('message', (channel: string, id: string) => {
        if (channel === RELEASE_REQUESTS) events.releaseRequested(id)
        else if (channel === RELEASED) events.released(id)
      })
    },
    async close() {
      closed = true
      commands.disconnect()
      subscriber.disconnect()
    },
  }
}

/** Logs Redis going away and coming back once each, not on every reconnect attempt. */
function watchHealth(redis: RedisClient, logger: Logger): void {
  let down = false
  redis.on('error', (error: Error) => {
    if (down) return
    down = true
    logger.error(
      { err: error },
      'Redis unreachable: requests that need an upload lock get 503 until it is back',
    )
  })
  redis.on('ready', () => {
    if (!down) return
    down = false
    logger.info('Redis is reachable again: upload locks work again')
  })
}
