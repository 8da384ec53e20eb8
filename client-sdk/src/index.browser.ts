/**
 * @tusk/client for browsers: resumable uploads of Files and Blobs to a tus server.
 * @module
 */
import { DefaultHttpStack } from 'tus-js-client'
import { type BrowserUploadSource, browserPlatform } from './browser/platform.js'
import { discoverCapabilities } from './core/discovery.js'
import type { Metadata, ServerCapabilities, UploadHandle, UploadOptions } from './core/types.js'
import { createUpload, terminateUpload } from './core/upload.js'

export { LocalStorageUrlStorage } from './browser/local-storage.js'
export type { BrowserUploadSource } from './browser/platform.js'
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
