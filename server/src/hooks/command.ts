import { ConfigError, loadConfig } from '../config/load.js'
import { openOutbox } from './index.js'

const USAGE = `usage: tusk-server hooks list [--json] [server options: --data-dir, --redis-url, ...]
       tusk-server hooks retry [<event id or key>...] [server options]

Webhook events that were not delivered after the last retry (dead letters) stay in the outbox of
the deployment: the data directory's .hooks/ (file store without Redis) or Redis (--redis-url).
"list" shows them and how many deliveries are pending; "retry" puts them (all, or those named)
back for delivery now, and re-enables an endpoint that had answered 410 Gone. A running server
delivers them on its next look at the outbox (within a second).`

/** `tusk-server hooks list|retry`: returns the exit status (0 done, 2 usage or configuration). */
export async function hooksCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  if (
    action === undefined ||
    action === '--help' ||
    action === '-h' ||
    (action !== 'list' && action !== 'retry')
  ) {
    console.log(USAGE)
    return action === undefined || action.startsWith('-') ? 0 : 2
  }
  const json = rest.includes('--json')
  const positional: string[] = []
  const options: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    if (arg === '--json') continue
    if (arg.startsWith('--')) {
      options.push(arg)
      if (!arg.includes('=') && i + 1 < rest.length) options.push(rest[++i] as string)
    } else positional.push(arg)
  }
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(options)
  } catch (error) {
    console.error(`tusk-server hooks: ${error instanceof ConfigError ? error.message : String(error)}`)
    return 2
  }
  const outbox = openOutbox(config)
  try {
    if (action === 'retry') {
      const count = await outbox.retryDead(positional)
      console.log(`${count} dead letter(s) put back for delivery`)
      return 0
    }
    const [counts, dead] = await Promise.all([outbox.counts(), outbox.deadLetters()])
    if (json) {
      console.log(
        JSON.stringify({
          pending: counts.pending,
          deadLetters: dead.map(({ body: _body, ...rest }) => rest),
        }),
      )
      return 0
    }
    console.log(`outbox (${outbox.kind}): ${counts.pending} pending, ${dead.length} dead letter(s)`)
    for (const record of dead) {
      console.log(
        `${record.key}  ${record.type}  ${new Date(record.createdAt).toISOString()}  attempts ${record.attempts}  ${record.url}  ${record.lastError ?? ''}`,
      )
    }
    return 0
  } finally {
    await outbox.close()
  }
}
