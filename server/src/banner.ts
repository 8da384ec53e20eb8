import type { Config } from './config/schema.js'
import { formatSize } from './config/units.js'
import { formatDuration } from './human-units.js'

// What `tusk-server` prints when it starts: the URL first (what a person needs next), then the
// effective configuration, with sizes and durations in units, on a few lines rather than thirty.

const SIZES = new Set(['maxSize', 's3PartSize'])
const DURATIONS = new Set([
  'uploadExpiry',
  'cleanupInterval',
  'headersTimeout',
  'idleTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'shutdownTimeout',
  'lockTimeout',
  'lockTtl',
])
/** Shown in the URL line already. */
const IN_URL = new Set(['host', 'port', 'basePath'])
const SECRET = /secret|token|password|accountkey|connectionstring/i
/** Settings of a store (`s3Bucket`, `azureContainer`, ...) matter only when that store is chosen. */
const STORE_PREFIX = /^(s3|azure|gcs)(?=[A-Z])/
/**
 * Settings of a feature that is off (authentication without a key source, hooks without an endpoint,
 * limits at 0) say nothing a person needs at start-up; the feature's switch itself is shown.
 */
function inactive(key: string, value: unknown, config: Config): boolean {
  if (key.startsWith('jwt'))
    return !(config.jwtSecret ?? config.jwtSecretFile ?? config.jwtPublicKey ?? config.jwtJwksUrl)
  if (key.startsWith('hooks')) return config.hooksUrl.length === 0
  if (key.startsWith('rateLimit') || key.startsWith('quota')) return value === 0
  return false
}

/** The configuration with secrets replaced, for the log and the banner: secrets never reach either. */
export function redactSecrets<T extends object>(config: T): T {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      SECRET.test(key) && value !== undefined ? '[redacted]' : value,
    ]),
  ) as T
}

function show(key: string, value: unknown): string {
  if (typeof value === 'number' && SIZES.has(key))
    return formatSize(value).replace(/(\d)([KMGT]?i?B)$/, '$1 $2')
  if (typeof value === 'number' && DURATIONS.has(key)) return value === 0 ? 'off' : formatDuration(value)
  if (Array.isArray(value)) return value.length ? value.join(',') : '-'
  return String(value)
}

/** The start-up banner: the URL on the first line, then `key value` pairs packed into lines. */
export function startupBanner(url: string, config: Config, width = 100): string {
  const lines = [`Tusk is serving tus uploads at ${url}`]
  let line = ' '
  for (const [key, value] of Object.entries(redactSecrets(config))) {
    if (value === undefined || IN_URL.has(key)) continue
    const store = STORE_PREFIX.exec(key)?.[1]
    if (store && store !== config.store) continue
    if (inactive(key, value, config)) continue
    const pair = ` ${key} ${show(key, value)}`
    if (line.length + pair.length + 2 > width && line.trim()) {
      lines.push(line)
      line = ' '
    }
    line += line.trim() ? ` ·${pair}` : pair
  }
  if (line.trim()) lines.push(line)
  return `${lines.join('\n')}\n`
}
