import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { accessibleUpload, authorizeBeforeLock, type CoreDeps } from './deps.js'
import { lockUploads } from './locks.js'
import type { OperationContext } from './types.js'

/**
 * Removes an upload and everything stored for it, under its lock: an append in progress is asked to
 * let go first (and is then answered that it was cut short, not that it succeeded).
 */
export async function terminateUpload(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Upload> {
  const terminate = deps.store.terminate?.bind(deps.store)
  if (!terminate) throw ERR.TERMINATION_UNSUPPORTED()
  await authorizeBeforeLock(deps, id, 'terminate', ctx)
  const locks = await lockUploads(deps.locker, [id], ctx.signal)
  let upload: Upload
  try {
    upload = await accessibleUpload(deps, id, 'terminate', ctx)
    await deps.hooks.beforeTerminate?.(upload, ctx.request)
    await terminate(id)
  } finally {
    await locks.release()
  }
  await deps.events.terminated?.(upload, ctx.request)
  return upload
}
