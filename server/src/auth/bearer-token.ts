import type { RequestInfo } from '../upload/types.js'

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i

/**
 * The token a request presents, and where: `Authorization: Bearer` on any request, or `?token=` on a
 * GET only (download links, for `<a href>` and `<img>` that cannot send headers). A token anywhere
 * else — another query, Upload-Metadata, a cookie — is never read.
 */
export function presentedToken(request: RequestInfo): { token: string; inUrl: boolean } | undefined {
  const header = request.headers.authorization
  if (typeof header === 'string') {
    const match = BEARER.exec(header.trim())
    return match?.[1] ? { token: match[1], inUrl: false } : undefined
  }
  if (request.method !== 'GET') return undefined
  const query = request.url.indexOf('?')
  if (query < 0) return undefined
  const token = new URLSearchParams(request.url.slice(query + 1)).get('token')
  return token ? { token, inUrl: true } : undefined
}
