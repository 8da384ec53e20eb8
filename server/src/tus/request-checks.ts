import type { IncomingMessage } from 'node:http'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import { mediaType, OFFSET_OCTET_STREAM, TUS_VERSION } from './constants.js'
import { parseMetadata } from './metadata.js'

const OVERRIDABLE = new Set(['POST', 'PATCH', 'DELETE', 'HEAD', 'GET', 'OPTIONS'])
const NON_NEGATIVE_INTEGER = /^\d{1,16}$/

/**
 * "The X-HTTP-Method-Override request header MUST be a string which MUST be interpreted as the
 * request's method by the Server, if the header is presented. The actual method of the request
 * MUST be ignored." Rewrites req.method so every later layer sees the effective method.
 */
export function applyMethodOverride(req: IncomingMessage): void {
  const override = req.headers['x-http-method-override']
  if (override === undefined) return
  const method = String(override).trim().toUpperCase()
  if (!OVERRIDABLE.has(method)) throw ERR.INVALID_METHOD_OVERRIDE(`"${String(override).slice(0, 20)}"`)
  req.method = method
}

function nonNegativeInteger(
  req: IncomingMessage,
  name: 'Upload-Offset' | 'Upload-Length',
): number | undefined {
  const value = req.headers[name.toLowerCase()]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !NON_NEGATIVE_INTEGER.test(value)) {
    throw ERR.INVALID_HEADER(`${name} must be a non-negative integer`)
  }
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw ERR.INVALID_HEADER(`${name} is out of range`)
  return n
}

/**
 * The checks every tus request passes before a handler or a store sees it, so that bad input gets a
 * 4xx with a reason instead of reaching code that would misread it.
 */
export function checkTusRequest(req: IncomingMessage, config: Pick<Config, 'maxSize'>): void {
  const method = req.method ?? 'GET'
  // "The Tus-Resumable header MUST be included in every request and response except for OPTIONS
  // requests. If the version specified by the Client is not supported by the Server, it MUST respond
  // with the 412 Precondition Failed status and MUST include the Tus-Version header."
  if (method !== 'OPTIONS' && method !== 'GET') {
    const version = req.headers['tus-resumable']
    if (version !== TUS_VERSION) {
      throw ERR.VERSION_UNSUPPORTED(version === undefined ? 'Tus-Resumable header missing' : undefined, {
        headers: { 'Tus-Version': TUS_VERSION },
      })
    }
  }
  if (method === 'OPTIONS' || method === 'GET') return

  nonNegativeInteger(req, 'Upload-Offset')
  const length = nonNegativeInteger(req, 'Upload-Length')
  if (length !== undefined && config.maxSize > 0 && length > config.maxSize) {
    throw ERR.TOO_LARGE(`Upload-Length ${length} > Tus-Max-Size ${config.maxSize}`)
  }
  const defer = req.headers['upload-defer-length']
  if (defer !== undefined && defer !== '1') throw ERR.INVALID_HEADER('Upload-Defer-Length must be 1')

  const metadata = req.headers['upload-metadata']
  if (metadata !== undefined) {
    const parsed = parseMetadata(String(metadata))
    if ('error' in parsed) throw ERR.INVALID_METADATA(parsed.error)
  }

  if (method === 'PATCH') {
    // "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the
    // server SHOULD return a 415 Unsupported Media Type status."
    if (mediaType(req) !== OFFSET_OCTET_STREAM) throw ERR.UNSUPPORTED_MEDIA_TYPE()
    if (req.headers['upload-offset'] === undefined) throw ERR.INVALID_HEADER('PATCH requires Upload-Offset')
  }
}
