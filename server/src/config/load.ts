import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type Config, type ConfigInput, configKeys, configSchema } from './schema.js'

/** A configuration value that does not fit the schema; main.ts exits with status 2 on it. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const envName = (key: string) => `TUSK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`

/** Parses and freezes a config object; throws ConfigError naming the field and what was expected. */
export function parseConfig(input: ConfigInput | Record<string, unknown>): Config {
  const result = configSchema.safeParse(input)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(config)'
      const source =
        typeof issue.path[0] === 'string' ? ` (--${kebab(issue.path[0])} / ${envName(issue.path[0])})` : ''
      const message =
        issue.code === 'unrecognized_keys' ? `unknown option(s): ${issue.keys.join(', ')}` : issue.message
      return `${field}${source}: ${message}`
    })
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  return Object.freeze(result.data)
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`config: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object')
    return parsed as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`config: ${path} is not a JSON object (${(error as Error).message})`)
  }
}

/** The only place that reads process.env and argv: file < environment < flags. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const options = Object.fromEntries([
    ['config', { type: 'string' as const }],
    ['help', { type: 'boolean' as const, short: 'h' }],
    ...configKeys.map((key) => [kebab(key), { type: 'string' as const }]),
  ])
  let flags: Record<string, string | boolean | undefined>
  try {
    flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof flags
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  if (flags.help) throw new HelpRequested()
  const configPath = (flags.config as string | undefined) ?? env.TUSK_CONFIG
  const merged: Record<string, unknown> = configPath ? readConfigFile(configPath) : {}
  for (const key of configKeys) {
    const fromEnv = env[envName(key)]
    if (fromEnv !== undefined && fromEnv !== '') merged[key] = fromEnv
    const fromFlag = flags[kebab(key)]
    if (fromFlag !== undefined) merged[key] = fromFlag
  }
  return parseConfig(merged)
}

export class HelpRequested extends Error {}

export function helpText(): string {
  const rows = configKeys.map((key) => {
    const field = configSchema.shape[key]
    return `  --${kebab(key).padEnd(22)} ${envName(key).padEnd(26)} ${field.description ?? ''}`
  })
  return [
    'usage: tusk-server [--config file.json] [--option value]...',
    '',
    '  flag                     environment variable       meaning',
    ...rows,
    '',
    'Precedence: flags > environment > config file > defaults (see README).',
  ].join('\n')
}
