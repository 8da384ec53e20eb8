#!/usr/bin/env node
import cluster from 'node:cluster'
import { redactSecrets, startupBanner } from './banner.js'
import { runSupervisor, shouldSupervise } from './cluster/supervisor.js'
import { ConfigError, HelpRequested, helpText, loadConfig } from './config/load.js'
import { formatSize } from './config/units.js'
import { createLogger, isTerminal } from './log.js'
import { startServer } from './server.js'

// The command line: read config (exit 2 when invalid), start, print the URL and effective config,
// and stop gracefully on the first SIGTERM/SIGINT (at once on the second).
async function main(): Promise<void> {
  // Subcommands load their modules (jose, the hook outboxes) only when run: the server does without.
  if (process.argv[2] === 'token') {
    const { tokenCommand } = await import('./token-command.js')
    process.exit(await tokenCommand(process.argv.slice(3)))
  }
  if (process.argv[2] === 'hooks') {
    const { hooksCommand } = await import('./hooks/command.js')
    process.exit(await hooksCommand(process.argv.slice(3)))
  }
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(helpText())
      process.exit(0)
    }
    if (error instanceof ConfigError) {
      console.error(`tusk-server: ${error.message}`)
      process.exit(2)
    }
    throw error
  }
  if (shouldSupervise(config)) {
    runSupervisor(config, createLogger(config))
    return
  }
  const server = await startServer(config)
  if (isTerminal()) {
    // A person is watching: the URL first, then the configuration in units on a few lines. (In
    // cluster mode the supervisor prints the URL; the workers print nothing at start-up.)
    const banner = startupBanner(server.url, config)
    const quiet = !server.logger.isLevelEnabled('info') // then only the URL, as in the JSON form
    if (!cluster.isWorker) process.stdout.write(quiet ? `${banner.split('\n', 1)[0]}\n` : banner)
  } else {
    server.logger.info(
      { config: { ...redactSecrets(config), maxSize: formatSize(config.maxSize) } },
      'effective configuration',
    )
    if (!cluster.isWorker)
      console.log(`Tusk is serving tus uploads at ${server.url} (store: ${config.store})`)
  }

  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      server.logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    server.logger.info({ signal, timeoutMs: config.shutdownTimeout }, 'shutting down gracefully')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  // In cluster mode the supervisor owns Ctrl-C (which reaches the whole process group) and forwards SIGTERM.
  process.on('SIGINT', cluster.isWorker ? () => {} : onSignal)
}

main().catch((error: unknown) => {
  // A configuration found wrong only at start-up (an unreadable key file, a key of the wrong type).
  if (error instanceof ConfigError) {
    console.error(`tusk-server: ${error.message}`)
    process.exit(2)
  }
  console.error('tusk-server: failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
