import cluster, { type Worker } from 'node:cluster'
import type { Config } from '../config/schema.js'
import { workerCount } from '../lockers/index.js'
import { isLockMessage } from '../lockers/lock-messages.js'
import type { Logger } from '../log.js'

/** True when this process should supervise workers instead of serving (`--workers` > 1). */
export const shouldSupervise = (config: Config) => cluster.isPrimary && workerCount(config.workers) > 1

// Measured: a small initial heap makes big PATCHes collect garbage pathologically often; `npm start`
// passes this flag, and workers must get it too.
const HEAP_FLAG = '--initial-heap-size=64'

/**
 * Cluster mode: N workers share one port (node:cluster hands connections round-robin). The supervisor
 * restarts a worker that dies, relays lock messages between workers (the file locker's release
 * requests), and turns SIGTERM/SIGINT into a graceful stop of every worker.
 */
export function runSupervisor(config: Config, logger: Logger): void {
  const count = workerCount(config.workers)
  const execArgv = process.execArgv.some((arg) => arg.startsWith('--initial-heap-size'))
    ? process.execArgv
    : [...process.execArgv, HEAP_FLAG]
  // Workers run this same entry point with the same arguments; cluster.isWorker makes them serve.
  // Workers accept connections themselves from the shared socket (SCHED_NONE), not round-robin
  // through this process: with round-robin, a connection the supervisor has just handed to a worker
  // that dies before taking it is never closed nor handed to another worker (Node keeps the handle
  // until the dead worker acknowledges it), so its client waits forever (issue 13, defect 1). With
  // SCHED_NONE, a connection the dead worker had accepted is closed by the kernel (the client sees a
  // reset and retries) and the queued ones are accepted by the live workers.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ execArgv })

  let stopping = false
  let exitCode = 0
  let everListened = false
  const listened = new WeakSet<Worker>()
  let recentDeaths: number[] = []
  const workers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)

  cluster.on('message', (_worker, message: unknown) => {
    if (!isLockMessage(message)) return
    for (const worker of workers()) {
      if (worker.isConnected()) worker.send(message, undefined, () => {})
    }
  })

  cluster.on('listening', (worker, address) => {
    listened.add(worker)
    if (everListened) return
    everListened = true
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    const base = config.basePath === '/' ? '' : config.basePath
    console.log(
      `Tusk is serving tus uploads at http://${host}:${address.port}${base} (store: ${config.store}, ${count} workers)`,
    )
  })

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (workers().length === 0) process.exit(exitCode)
      return
    }
    if (!listened.has(worker) && !everListened) {
      // A worker that cannot even start (port taken, bad store) would fail again: give up.
      logger.fatal({ worker: worker.process.pid, code, signal }, 'worker failed to start; stopping')
      stopAll(1)
      return
    }
    const now = Date.now()
    recentDeaths = [...recentDeaths.filter((t) => now - t < 10_000), now]
    const delay = recentDeaths.length > count ? 1_000 : 0 // a crash loop must not spin the CPU
    logger.error(
      { worker: worker.process.pid, code, signal, restartInMs: delay },
      'worker died; starting a new one',
    )
    setTimeout(() => cluster.fork(), delay)
  })

  function stopAll(code: number): void {
    stopping = true
    exitCode = code
    for (const worker of workers()) worker.process.kill('SIGTERM')
    if (workers().length === 0) process.exit(code)
    // Workers stop within shutdownTimeout (+5 s for their own cut-off); past that, force it.
    setTimeout(() => {
      for (const worker of workers()) worker.process.kill('SIGKILL')
      process.exit(1)
    }, config.shutdownTimeout + 10_000).unref()
  }

  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: killing workers now')
      for (const worker of workers()) worker.process.kill('SIGKILL')
      process.exit(1)
    }
    logger.info({ signal, workers: workers().length }, 'shutting down workers gracefully')
    stopAll(0)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)

  for (let i = 0; i < count; i++) cluster.fork()
}
