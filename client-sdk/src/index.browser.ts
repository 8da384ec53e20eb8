/**
 * @tusk/client for browsers: resumable uploads of Files and Blobs to a tus server.
 * @module
 */
import { type BrowserUploadSource, browserPlatform } from './browser/platform.js'
import type { Metadata, UploadHandle, UploadOptions } from './core/types.js'
import { createUpload } from './core/upload.js'

export { LocalStorageUrlStorage } from './browser/local-storage.js'
export type { BrowserUploadSource } from './browser/platform.js'
export { discover, terminate } from './core/endpoint.js'
export * from './core/public.js'

/**
 * Prepares an upload of a File, Blob or stream reader. Call `start()` on the handle, then await `done`.
 *
 * @example
 * const result = await upload(input.files[0], { endpoint: 'https://uploads.example.com/files' }).start().done
 */
export function upload<M extends Metadata = Metadata>(
  source: BrowserUploadSource,
  options: UploadOptions<M>,
): UploadHandle<M> {
  return createUpload(browserPlatform, source, options)
}
