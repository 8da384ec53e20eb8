import type { IncomingMessage } from 'node:http'

// tus 1.0.0 protocol constants and header helpers, used by every tus handler.

export const TUS_VERSION = '1.0.0'

/** The media type of a tus PATCH body (and of creation-with-upload data). */
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream'

/** A request header as one string (Node types headers it does not know as possibly repeated). */
export function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The request's media type, lowercased and without parameters. */
export const mediaType = (req: IncomingMessage): string | undefined =>
  req.headers['content-type']?.split(';')[0]?.trim().toLowerCase()

/** Whether a request carries upload data (a PATCH body, or creation-with-upload). */
export const carriesUploadData = (req: IncomingMessage): boolean => mediaType(req) === OFFSET_OCTET_STREAM

/** Content-Length as a number, when sent (request-checks has refused a malformed one). */
export function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length']
  return value === undefined ? undefined : Number(value)
}
