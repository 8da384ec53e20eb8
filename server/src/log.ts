import pino, { type Logger } from 'pino'
import type { Config } from './config/schema.js'
import { prettyStream } from './log-pretty.js'

export type { Logger }

export interface LogFormat {
  /** One readable line per entry instead of JSON (default: when stdout is a terminal). */
  pretty?: boolean
  /** ANSI colours in the readable form (default: on). */
  colorize?: boolean
}

/**
 * JSON lines for machines (pipes, files, log collectors); one readable line per entry when a person
 * is watching a terminal. `destination` defaults to stdout.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  destination?: pino.DestinationStream,
  format: LogFormat = {},
): Logger {
  const options: pino.LoggerOptions = { level: config.logLevel, base: { pid: process.pid } }
  const pretty = format.pretty ?? (destination === undefined && isTerminal())
  if (pretty) return pino(options, prettyStream({ destination: destination ?? 1, colorize: format.colorize }))
  return destination ? pino(options, destination) : pino(options)
}

/** True when stdout is a terminal: people read the log, so it is printed for them. */
export const isTerminal = () => process.stdout.isTTY === true
