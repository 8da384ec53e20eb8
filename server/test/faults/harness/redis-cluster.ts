import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { waitUntil } from './proc-stats.js'

const run = promisify(execFile)
const scripts = fileURLToPath(new URL('../../../../scripts/', import.meta.url))

/** One line of CLUSTER NODES. */
export interface ClusterNode {
  id: string
  port: number
  /** myself, master, slave, fail (confirmed by a majority), fail? (suspected by one node), ... */
  flags: string[]
  /** The master's id, for a replica. */
  masterId: string | undefined
  /** Slot ranges served, [first, last] inclusive (masters only). */
  slots: [number, number][]
}

export interface PrivateRedisCluster {
  /** Tusk's --redis-url for it (redis+cluster://every node). */
  readonly url: string
  /** The six node ports. */
  readonly ports: number[]
  cli(port: number, ...args: string[]): Promise<string>
  /** The topology as the node on `port` sees it. */
  nodes(port: number): Promise<ClusterNode[]>
  /** SIGKILLs the node on `port`, as a crash would. */
  kill(port: number): void
  /** Ports of the nodes not killed. */
  alive(): number[]
  /**
   * Resolves, with the ms it took, once the nodes still alive agree that the killed master on
   * `victimPort` has failed (the `fail` flag, not just `fail?`), a replica serves every slot it
   * served, and cluster_state is ok on every one of them.
   */
  waitForFailover(victimPort: number, slots: [number, number][], timeoutMs: number): Promise<number>
  /** Resolves once every node alive says cluster_state:ok and every replica alive has synced. */
  waitUntilSettled(timeoutMs: number): Promise<number>
  /** Subscribers of `channel` over the nodes alive (PUBSUB NUMSUB counts a node's own clients only). */
  subscribers(channel: string): Promise<number>
  dispose(): Promise<void>
}

export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.trim().split(' ')
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        flags: flags.split(','),
        masterId: master === '-' ? undefined : master,
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [first, last = first] = slot.split('-').map(Number) as [number, number?]
            return [first, last] as [number, number]
          }),
      }
    })
}

const covers = (ranges: [number, number][], slot: number) =>
  ranges.some(([first, last]) => slot >= first && slot <= last)

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })

/**
 * Six free node ports and their bus ports (port + 10000), all below the ephemeral range (32768 and
 * up), where an outgoing connection could take a bus port between this check and the node's bind.
 */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 270) * 10
    const ports = [0, 1, 2, 3, 4, 5].flatMap((i) => [base + i, base + i + 10_000])
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base
  }
  throw new Error('no six free ports (and bus ports) between 20000 and 22700')
}

/**
 * A Redis Cluster of this test file's own (three masters, three replicas) from
 * scripts/redis-cluster-start.sh, which returns once every replica has synced (so each can take over).
 */
export async function startPrivateRedisCluster(): Promise<PrivateRedisCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tusk-redis-cluster-'))
  const base = await freeBase()
  try {
    await run(path.join(scripts, 'redis-cluster-start.sh'), [String(base), dir], { timeout: 60_000 })
  } catch (error) {
    await run(path.join(scripts, 'redis-cluster-stop.sh'), [dir, '--purge'])
    throw error
  }
  const url = readFileSync(path.join(dir, 'redis-cluster.env'), 'utf8').trim().split('=')[1] as string
  const ports = [0, 1, 2, 3, 4, 5].map((i) => base + i)
  const killed = new Set<number>()
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5_000 })).stdout
  const nodes = async (port: number) => parseClusterNodes(await cli(port, 'cluster', 'nodes'))
  const alive = () => ports.filter((port) => !killed.has(port))
  return {
    url,
    ports,
    cli,
    nodes,
    alive,
    kill(port) {
      process.kill(Number(readFileSync(path.join(dir, String(port), 'redis.pid'), 'utf8')), 'SIGKILL')
      killed.add(port)
    },
    waitForFailover(victimPort, slots, timeoutMs) {
      return waitUntil(
        async () => {
          for (const port of alive()) {
            if (!(await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) return false
            const view = await nodes(port)
            const victim = view.find((node) => node.port === victimPort)
            if (!victim?.flags.includes('fail') || victim.slots.length > 0) return false
            const served = view.filter(
              (node) => node.flags.includes('master') && !node.flags.includes('fail'),
            )
            for (const [first] of slots) if (!served.some((node) => covers(node.slots, first))) return false
          }
          return true
        },
        timeoutMs,
        `a replica of the master on ${victimPort} serving its slots`,
        100,
      )
    },
    waitUntilSettled(timeoutMs) {
      return waitUntil(
        async () => {
          for (const port of alive()) {
            if (!(await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) return false
            const replication = await cli(port, 'info', 'replication')
            if (replication.includes('role:slave') && !replication.includes('master_link_status:up'))
              return false
          }
          return true
        },
        timeoutMs,
        'the cluster ok with every replica synced',
        100,
      )
    },
    async subscribers(channel) {
      let total = 0
      for (const port of alive())
        total += Number((await cli(port, 'pubsub', 'numsub', channel)).split('\n')[1])
      return total
    },
    async dispose() {
      await run(path.join(scripts, 'redis-cluster-stop.sh'), [dir, '--purge'])
    },
  }
}

/** Whether `slot` is served by `node`. */
export const servesSlot = (node: ClusterNode, slot: number) => covers(node.slots, slot)
