import { createRequire } from 'node:module'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'

/** A Redis deployment named by --redis-url: one server, or a Redis Cluster reached through seed nodes. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster'
      nodes: { host: string; port: number }[]
      tls: boolean
      username?: string
      password?: string
    }

/**
 * Reads --redis-url. A cluster is named `redis+cluster://host:port,host:port/` (or `rediss+cluster://`
 * for TLS), or as several comma-separated nodes in a plain URL (`redis://a:6379,b:6379`); credentials
 * go in the first node's userinfo. One node in a plain URL is a single server.
 */
export function parseRedisTarget(url: string): RedisTarget {
  const match = /^(rediss?)(\+cluster)?:\/\/(?:([^@/]*)@)?([^/?#]+)/.exec(url)
  if (!match) throw new Error(`not a redis:// URL: ${url}`)
  const [, scheme, clusterSuffix, userinfo, hostList = ''] = match
  const hosts = hostList.split(',').filter(Boolean)
  if (!clusterSuffix && hosts.length === 1) return { kind: 'single', url }
  const nodes = hosts.map((host) => {
    const parsed = new URL(`redis://${host}`)
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 6379) }
  })
  const [user, password] = (userinfo ?? '').split(':').map(decodeURIComponent)
  return {
    kind: 'cluster',
    nodes,
    tls: scheme === 'rediss',
    ...(user ? { username: user } : {}),
    ...(password ? { password } : {}),
  }
}

export type RedisClient = Redis | Cluster

/**
 * A client for --redis-url: ioredis' Redis for one server, its Cluster for a cluster (which follows
 * MOVED/ASK redirections and fail-overs to a replica). `options` are per-connection options; in a
 * cluster, offline queueing is decided by the cluster client, so it gets enableOfflineQueue too.
 */
export function createRedisClient(url: string, options: RedisOptions): RedisClient {
  // Loaded on first use: the client costs ~20 MiB of memory that a server without Redis never needs.
  const { Redis: RedisClass, Cluster: ClusterClass } = createRequire(import.meta.url)(
    'ioredis',
  ) as typeof import('ioredis')
  const target = parseRedisTarget(url)
  if (target.kind === 'single') return new RedisClass(url, options)
  const { enableOfflineQueue, retryStrategy, ...perNode } = options
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...perNode,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    clusterRetryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
    // After a fail-over the slot map changes: re-read it at once on a MOVED, and retry commands that
    // hit a node which is down (CLUSTERDOWN / TRYAGAIN) a few times, briefly.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2_000,
  }
  return new ClusterClass(target.nodes, clusterOptions)
}
