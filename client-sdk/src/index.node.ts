/**
 * @tusk/client for Node: resumable uploads of files, buffers and streams to a tus server.
 * @module
 */
import { DefaultHttpStack } from 'tus-js-client'
import { discoverCapabilities } from './core/discovery.js'
import type { Metadata, ServerCapabilities, UploadHandle, UploadOptions } from './core/types.js'
import { createUpload, terminateUpload } from './core/upload.js'
import { type NodeUploadSource, nodePlatform } from './node/platform.js'

export * from './core/public.js'
export { FileUrlStorage } from './node/file-url-storage.js'
export type { NodeUploadSource } from './node/platform.js'
export { defaultUrlStorePath, stateDir } from './node/state-dir.js'

/**
 * Prepares an upload of a file path, Buffer/Uint8Array, Readable or Blob. Call `start()` on the
 * handle, then await `done`.
 *
 * @example
 * const result = await upload('big.bin', { endpoint: 'http://127.0.0.1:1080/files' }).start().done
 */
export function upload<M extends Metadata = Metadata>(
  source: NodeUploadSource,
  options: UploadOptions<M>,
): UploadHandle<M> {
  return createUpload(nodePlatform, source, options)
}

/** Asks a tus endpoint what it supports (OPTIONS). */
export function discover(
  endpoint: string,
  headers: Record<string, string> = {},
): Promise<ServerCapabilities> {
  return discoverCapabilities(new DefaultHttpStack({}), endpoint, async (req) => {
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value)
  })
}

/** Deletes an upload on the server (tus termination). */
export function terminate(url: string, headers: Record<string, string> = {}): Promise<void> {
  return terminateUpload(new DefaultHttpStack({}), url, headers)
}
