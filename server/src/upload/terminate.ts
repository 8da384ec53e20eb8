import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isComplete, isFinal, isPartial, partialIdsOf } from '../model/record.js'
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
  await forgetPendingConcatenations(deps, upload)
  await deps.events.terminated?.(upload, ctx.request)
  return upload
}

/**
 * concatenation-unfinished: drops the waiting markers a terminated upload took part in (a final's
 * under each of its partials; a partial's for every final waiting for it, which then never finish
 * and expire like any unfinished upload), so none is left behind in the store.
 */
async function forgetPendingConcatenations(deps: CoreDeps, upload: Upload): Promise<void> {
  const pending = deps.store.pendingConcatenations
  if (!pending) return
  if (isFinal(upload) && !isComplete(upload)) {
    for (const partialId of new Set(partialIdsOf(upload) ?? [])) await pending.remove(partialId, upload.id)
  } else if (isPartial(upload)) {
    for (const finalId of await pending.waitingFor(upload.id)) await pending.remove(upload.id, finalId)
  }
}
