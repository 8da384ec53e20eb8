import pino, { type Logger } from 'pino'
import type { Config } from './config/schema.js'

export type { Logger }

/** JSON lines for machines; pino-pretty when a person is watching a terminal. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { level: config.logLevel, base: { pid: process.pid } }
  if (destination) return pino(options, destination)
  if (process.stdout.isTTY) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    })
  }
  return pino(options)
}
