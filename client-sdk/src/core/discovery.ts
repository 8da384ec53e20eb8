import type { HttpResponse, HttpStack } from 'tus-js-client'
import type { ServerCapabilities } from './types.js'

/** What a server that does not answer OPTIONS is assumed to support: the core and creation. */
export const ASSUMED_CAPABILITIES: ServerCapabilities = {
  discovered: false,
  versions: ['1.0.0'],
  extensions: ['creation'],
  maxSize: null,
  checksumAlgorithms: [],
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean)

export function parseCapabilities(res: HttpResponse): ServerCapabilities {
  const status = res.getStatus()
  const versions = list(res.getHeader('Tus-Version'))
  // A non-2xx answer or one without tus headers (e.g. a proxy that swallows OPTIONS) tells nothing:
  // fall back to what every tus server with creation can do.
  if (status < 200 || status >= 300 || versions.length === 0) return ASSUMED_CAPABILITIES
  const maxSize = Number.parseInt(res.getHeader('Tus-Max-Size') ?? '', 10)
  return {
    discovered: true,
    versions,
    extensions: list(res.getHeader('Tus-Extension')),
    maxSize: Number.isSafeInteger(maxSize) && maxSize > 0 ? maxSize : null,
    checksumAlgorithms: list(res.getHeader('Tus-Checksum-Algorithm')),
  }
}

/**
 * Sends OPTIONS to the endpoint. Any failure — an unhelpful answer, or no answer at all (which is
 * what a browser reports when CORS blocks the request) — yields the assumed capabilities: the
 * upload then goes ahead with the core protocol, and its own requests surface (and retry) any real
 * connectivity problem.
 */
export async function discoverCapabilities(
  httpStack: HttpStack,
  endpoint: string,
  prepare: (req: ReturnType<HttpStack['createRequest']>) => Promise<void>,
): Promise<ServerCapabilities> {
  const req = httpStack.createRequest('OPTIONS', endpoint)
  req.setHeader('Tus-Resumable', '1.0.0')
  await prepare(req)
  try {
    return parseCapabilities(await req.send(null))
  } catch {
    return ASSUMED_CAPABILITIES
  }
}

export function supports(capabilities: ServerCapabilities, extension: string): boolean {
  return capabilities.extensions.includes(extension)
}
