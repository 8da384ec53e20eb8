import type { Command } from 'commander'
import { UsageError } from './usage-error.js'

// The bearer token of every command: `--token` wins over `TUSK_TOKEN`. It is sent as
// `Authorization: Bearer <token>` on every request the command makes (and replaces an
// Authorization given with --header, since the token option says what is meant more precisely).

export interface TokenFlags {
  token?: string
}

export function addTokenOption(command: Command): Command {
  return command.option(
    '--token <jwt>',
    'bearer token sent as Authorization: Bearer on every request (default: $TUSK_TOKEN)',
  )
}

/** The token to send: the flag, else TUSK_TOKEN, else none. */
export function resolveToken(flags: TokenFlags, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromFlag = flags.token !== undefined
  const token = (fromFlag ? flags.token : env.TUSK_TOKEN)?.trim()
  const source = fromFlag ? '--token' : 'TUSK_TOKEN'
  if (token === undefined || (!fromFlag && token === '')) return undefined
  if (token === '') throw new UsageError('--token needs a token, not an empty string.')
  // A header value cannot hold spaces or line breaks; a pasted "Bearer …" is the usual mistake.
  if (/^bearer\s/i.test(token)) throw new UsageError(`${source} takes the token alone, without "Bearer ".`)
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(`${source} must be one token without spaces or line breaks.`)
  return token
}

/** Whether the headers carry credentials (a token, or an Authorization given with --header). */
export const sendsAuthorization = (headers: Record<string, string>) =>
  Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')

/** The headers of a command with its token added (replacing any Authorization header). */
export function withToken(headers: Record<string, string>, flags: TokenFlags): Record<string, string> {
  const token = resolveToken(flags)
  if (token === undefined) return headers
  const rest = Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  )
  return { ...rest, Authorization: `Bearer ${token}` }
}

/**
 * The one line for a refused token (401): what was refused and the server's reason, plus a hint
 * when no token was sent at all.
 */
export function tokenRefused(
  method: string,
  url: string,
  reason: string | undefined,
  sentToken: boolean,
): string {
  const why = reason ? `: ${reason}` : ''
  const hint = sentToken ? '' : ' (no token was sent: give one with --token or TUSK_TOKEN)'
  return `${method} ${url}: the server refused the token (401${why})${hint}.`
}
