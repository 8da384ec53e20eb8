import { Upload } from '@tus/utils'
import type { CoreDeps } from './deps.js'
import { noteFinishResponse } from './hooks.js'
import type { HeldFinish, OperationContext } from './types.js'

/**
 * Before a request stores what may be an upload's last bytes (its length is known, and its body can
 * reach it): the post-finish event is written ahead, held, so that a crash between the last bytes
 * and the event cannot leave a finished upload nobody hears of. The request passes the hold to
 * finishWithHooks, and drops it in any case when it ends (dropping a released hold does nothing).
 */
export async function holdFinish(
  deps: CoreDeps,
  upload: Upload,
  size: number | undefined,
  bodyLength: number | undefined,
  ctx: OperationContext,
): Promise<HeldFinish | undefined> {
  if (!deps.events.holdFinish || size === undefined) return undefined
  if (bodyLength !== undefined && upload.offset + bodyLength < size) return undefined
  const complete = new Upload({
    id: upload.id,
    size,
    offset: size,
    metadata: upload.metadata,
    creation_date: upload.creation_date,
    storage: upload.storage,
  })
  return deps.events.holdFinish(complete, ctx.request)
}

/**
 * An upload has just become complete: the pre-finish hook is asked (it may replace the answer), then
 * the finished event is reported, whatever the hook said: the bytes are all stored, so the upload
 * is finished even when the hook failed (its failure is still the request's answer, a 503).
 */
export async function finishWithHooks(
  deps: CoreDeps,
  upload: Upload,
  ctx: OperationContext,
  held?: HeldFinish,
): Promise<void> {
  let hookFailure: unknown
  if (deps.hooks.beforeFinish) {
    try {
      const response = await deps.hooks.beforeFinish(upload, ctx.request)
      if (response) noteFinishResponse(upload, response)
    } catch (error) {
      hookFailure = error
    }
  }
  await deps.events.finished?.(upload, ctx.request, held)
  if (hookFailure !== undefined) throw hookFailure
}
