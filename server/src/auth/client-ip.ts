import type { RequestInfo } from '../upload/types.js'

/**
 * The client's address: the socket's peer, or — only when Tusk is told it sits behind a proxy
 * (--trust-proxy) — the first address of X-Forwarded-For, which the proxy sets.
 */
export function clientIp(request: RequestInfo, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for']
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
    if (first) return first
  }
  return request.remoteAddress ?? 'unknown'
}
