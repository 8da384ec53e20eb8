import type { MetadataValue } from '@tus/s3-store'
import type { KvStore } from '@tus/utils'
import { createRedisClient, type RedisClient } from '../lockers/redis-connection.js'

/**
 * The S3 store's upload-info cache in Redis, shared by every Tusk instance, so a PATCH or HEAD does not
 * have to GET `<id>.info` from S3 each time. Unlike @tus/utils' IoRedisKvStore, entries expire (an
 * upload abandoned without cleanup does not stay in Redis forever), and Redis trouble is a cache miss,
 * never a failed request: S3 stays the source of truth.
 */
export class RedisInfoCache implements KvStore<MetadataValue> {
  readonly #redis: RedisClient
  readonly #prefix: string
  readonly #ttlMs: number

  constructor(options: { url: string; prefix: string; ttlMs: number }) {
    // One server or a Redis Cluster (--redis-url); each entry is one key, so any slot will do.
    this.#redis = createRedisClient(options.url, {
      // Fail at once while disconnected instead of queueing: the caller falls back to S3.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    })
    // Connection errors are retried by ioredis; without a listener each one is printed as unhandled.
    this.#redis.on('error', () => {})
    this.#prefix = options.prefix
    this.#ttlMs = options.ttlMs
  }

  async get(id: string): Promise<MetadataValue | undefined> {
    try {
      const text = await this.#redis.get(this.#prefix + id)
      return text ? (JSON.parse(text) as MetadataValue) : undefined
    } catch {
      return undefined
    }
  }

  async set(id: string, value: MetadataValue): Promise<void> {
    await this.#redis.set(this.#prefix + id, JSON.stringify(value), 'PX', this.#ttlMs).catch(() => {})
  }

  async delete(id: string): Promise<void> {
    // A failed delete leaves an entry that lives at most ttlMs; the store re-checks S3 before it
    // trusts a cached "finished" (TuskS3Store.getUpload), the one answer a stale entry could falsify.
    await this.#redis.del(this.#prefix + id).catch(() => {})
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect())
  }
}
