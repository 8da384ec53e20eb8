/**
 * @tusk/client for Node: resumable uploads of files, buffers and streams to a tus server.
 * @module
 */
import type { Metadata, UploadHandle, UploadOptions } from './core/types.js'
import { createUpload } from './core/upload.js'
import { type NodeUploadSource, nodePlatform } from './node/platform.js'

export { discover, terminate } from './core/endpoint.js'
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
