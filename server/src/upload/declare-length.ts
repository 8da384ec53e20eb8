import type { Upload } from '@tus/utils'
import type { CoreDeps } from './deps.js'

/** Sets the length of an upload created without one (validated by the caller), in the store and here. */
export async function declare(deps: CoreDeps, upload: Upload, size: number): Promise<void> {
  await deps.store.declareLength?.(upload.id, size)
  upload.size = size
}

/**
 * Ends an upload of unknown length where its bytes end: its length becomes its offset. The upload is
 * then read back from the store, which is where a store that assembles an upload on completion does
 * so when no write brought it there (the S3 store completes its multipart upload on that read).
 */
export async function declareEnd(deps: CoreDeps, upload: Upload): Promise<void> {
  await declare(deps, upload, upload.offset)
  await deps.store.datastore.getUpload(upload.id)
}
