import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isComplete } from '../model/record.js'
import { accessibleUpload, authorizeBeforeLock, type CoreDeps } from './deps.js'
import { lockUploads } from './locks.js'
import type { Download, OperationContext } from './types.js'

/**
 * The state of an upload (offset, length, metadata), read under its lock like @tus/server's HEAD:
 * a resuming client's request makes a stale append on the same upload let go, and sees the offset
 * after that append has stored what it received.
 */
export async function readUploadState(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Upload> {
  await authorizeBeforeLock(deps, id, 'read', ctx)
  const locks = await lockUploads(deps.locker, [id], ctx.signal)
  try {
    return await accessibleUpload(deps, id, 'read', ctx)
  } finally {
    await locks.release()
  }
}

/** A finished upload, opened for reading (no lock: a finished upload's bytes no longer change). */
export async function openDownload(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Download> {
  const upload = await accessibleUpload(deps, id, 'download', ctx)
  if (!isComplete(upload)) throw ERR.NOT_FINISHED()
  const object = await deps.store.stat(id)
  return { upload, object, open: (range) => deps.store.createReadStream(id, range) }
}
