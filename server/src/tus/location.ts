import type { IncomingMessage } from 'node:http'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import { resolveTarget } from './routing.js'

type UrlConfig = Pick<Config, 'basePath' | 'trustProxy'>

/** Scheme and host the client used, as @tus/server derives them for its Location headers. */
function publicOrigin(req: IncomingMessage, config: UrlConfig): { proto: string; host: string } {
  let proto: string | undefined
  let host: string | undefined
  if (config.trustProxy) {
    const forwarded = req.headers.forwarded
    if (forwarded) {
      host = /host="?([^";,]+)/i.exec(forwarded)?.[1]
      proto = /proto=(https?)/i.exec(forwarded)?.[1]
    }
    const xProto = req.headers['x-forwarded-proto']
    if (!proto && (xProto === 'http' || xProto === 'https')) proto = xProto
    const xHost = req.headers['x-forwarded-host']
    if (!host && typeof xHost === 'string') host = xHost
  }
  return { proto: proto ?? 'http', host: host ?? req.headers.host ?? 'localhost' }
}

/** The absolute URL of an upload, for Location. */
export function uploadUrl(req: IncomingMessage, config: UrlConfig, id: string): string {
  const { proto, host } = publicOrigin(req, config)
  const prefix = config.basePath === '/' ? '' : config.basePath
  return `${proto}://${host}${prefix}/${id}`
}

/**
 * The upload id an URL in Upload-Concat names. "The partial uploads URLs MAY be absolute or
 * relative"; either way it must point at an upload of this server (same host, under the base path).
 */
export function uploadIdFromUrl(req: IncomingMessage, config: UrlConfig, reference: string): string {
  const { proto, host } = publicOrigin(req, config)
  let url: URL
  try {
    url = new URL(reference, `${proto}://${host}${req.url ?? '/'}`)
  } catch {
    throw ERR.INVALID_CONCAT(`"${reference.slice(0, 80)}" is not a URL`)
  }
  if (url.host.toLowerCase() !== host.toLowerCase()) {
    throw ERR.INVALID_CONCAT(`"${reference.slice(0, 80)}" is not an upload of this server`)
  }
  const target = resolveTarget(url.pathname, config.basePath)
  if (target.kind !== 'upload') throw ERR.INVALID_CONCAT(`"${reference.slice(0, 80)}" is not an upload URL`)
  return target.id
}
