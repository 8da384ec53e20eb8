import { createRequire } from 'node:module'
import type { DestinationStream } from 'pino'
import type PinoPrettyModule from 'pino-pretty'
import { formatBytes, formatDuration } from './human-units.js'

// The terminal form of the log: one line per entry. A request reads
//   [12:03:04.123] INFO: PATCH /files/4f1c… 204 · 8.0 MiB in, 243 B out · 1.52 s
// and other entries keep their message plus their fields on the same line (errors keep their stack).

/** Fields of the request line (host/request-log.ts), shown in its text instead of after it. */
const REQUEST_FIELDS = [
  'reqId',
  'method',
  'path',
  'status',
  'bytesIn',
  'bytesOut',
  'ms',
  'uploadId',
  'aborted',
]

interface RequestLine {
  method?: string
  path?: string
  status?: number
  /** The error table's code of an error answer. */
  code?: string
  bytesIn?: number
  bytesOut?: number
  ms?: number
  uploadId?: string
  aborted?: boolean
  url?: string
}

/** The text of one request line; the upload id is added when the path does not already show it. */
export function formatRequest(line: RequestLine): string {
  const parts = [
    `${line.method} ${line.path} ${line.aborted ? 'client hung up' : line.status}${line.code ? ` ${line.code}` : ''}`,
    `${formatBytes(line.bytesIn ?? 0)} in, ${formatBytes(line.bytesOut ?? 0)} out`,
    formatDuration(line.ms ?? 0),
  ]
  if (line.uploadId && !line.path?.endsWith(line.uploadId)) parts.push(`upload ${line.uploadId}`)
  return parts.join(' · ')
}

export function prettyStream(
  options: { destination?: DestinationStream | NodeJS.WritableStream | number; colorize?: boolean } = {},
): DestinationStream {
  // Loaded on first use: only a terminal needs it, and it weighs ~4 MiB of RSS in every server otherwise.
  const PinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPrettyModule
  return PinoPretty({
    destination: options.destination ?? 1,
    colorize: options.colorize ?? true,
    sync: true,
    singleLine: true,
    translateTime: 'HH:MM:ss.l',
    ignore: ['pid', 'hostname', ...REQUEST_FIELDS].join(','),
    messageFormat: (log, messageKey) => {
      const line = log as RequestLine & Record<string, unknown>
      if (line[messageKey] === 'request' && line.method) return formatRequest(line)
      // Request-scoped warnings name their request here (their `method` field is hidden above), and
      // the error code is shown with the message.
      const where = line.method ? ` (${line.method} ${line.url ?? line.path ?? ''})` : ''
      const code = typeof line.code === 'string' ? ` [${line.code}]` : ''
      return `${String(line[messageKey] ?? '')}${code}${where}`
    },
  })
}
