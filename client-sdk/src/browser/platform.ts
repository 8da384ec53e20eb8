import { DefaultHttpStack, defaultOptions } from 'tus-js-client'
import { TuskUploadError } from '../core/errors.js'
import type { Platform } from '../core/platform.js'
import { MemoryUrlStorage } from '../core/url-storage.js'
import { browserCanDigest, browserDigest } from './digest.js'
import { LocalStorageUrlStorage, localStorageAvailable } from './local-storage.js'

/** What the browser SDK uploads: a File/Blob, or a ReadableStream's reader (deferred length). */
export type BrowserUploadSource = Blob | File | Pick<ReadableStreamDefaultReader<Uint8Array>, 'read'>

export const browserPlatform: Platform<BrowserUploadSource> = {
  async prepare(source, endpoint, size) {
    if (typeof Blob !== 'undefined' && source instanceof Blob) {
      const file = source as Partial<File> & Blob
      const isFile = typeof file.name === 'string' && typeof file.lastModified === 'number'
      return {
        input: source,
        size: source.size,
        // A File is identified by name, type, size and modification time. A bare Blob has no stable
        // identity (two blobs of one size would collide), so it is only resumable within the page
        // unless the caller passes a `fingerprint`.
        fingerprint: isFile
          ? ['tusk-browser', file.name, file.type, file.size, file.lastModified, endpoint].join(':')
          : null,
        metadata: {
          ...(isFile ? { filename: file.name as string } : {}),
          ...(source.type ? { filetype: source.type } : {}),
        },
        isStream: false,
      }
    }
    if (source && typeof (source as { read?: unknown }).read === 'function') {
      return { input: source, size: size ?? null, fingerprint: null, metadata: {}, isStream: true }
    }
    throw new TuskUploadError({
      code: 'source',
      message: 'the source must be a File, a Blob or a stream reader',
    })
  },
  fileReader: defaultOptions.fileReader,
  httpStack: new DefaultHttpStack({}),
  defaultUrlStorage: () => (localStorageAvailable() ? new LocalStorageUrlStorage() : new MemoryUrlStorage()),
  digest: browserDigest,
  canDigest: browserCanDigest,
}
