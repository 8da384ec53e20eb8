import { DefaultHttpStack } from 'tus-js-client'
import { discoverCapabilities } from './discovery.js'
import { type TerminationOutcome, terminateUpload } from './termination.js'
import type { ServerCapabilities, UploadProtocol } from './types.js'

// Endpoint-level calls that need no upload source; tus-js-client's DefaultHttpStack is the right
// transport on either platform (its package resolves to the browser or Node build).

/** Asks a tus endpoint what it supports (OPTIONS). */
export function discover(
  endpoint: string,
  headers: Record<string, string> = {},
): Promise<ServerCapabilities> {
  return discoverCapabilities(new DefaultHttpStack({}), endpoint, async (req) => {
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value)
  })
}

/**
 * Deletes an upload on the server (tus termination, or the draft's cancellation for an upload made
 * with `protocol: 'ietf-draft-05'`). Resolves to `'not_found'` when the server answered 404/410
 * (nothing to delete), `'terminated'` otherwise; rejects with a TuskUploadError.
 */
export function terminate(
  url: string,
  headers: Record<string, string> = {},
  protocol: UploadProtocol = 'tus-v1',
): Promise<TerminationOutcome> {
  return terminateUpload(new DefaultHttpStack({}), url, headers, async () => {}, protocol)
}
