import type { Upload } from '@tus/utils'
import type { CoreDeps } from './deps.js'
import { noteFinishResponse } from './hooks.js'
import type { OperationContext } from './types.js'

/**
 * An upload has just become complete: the pre-finish hook is asked (it may replace the answer), then
 * the finished event is reported, whatever the hook said: the bytes are all stored, so the upload
 * is finished even when the hook failed (its failure is still the request's answer, a 503).
 */
export async function finishWithHooks(deps: CoreDeps, upload: Upload, ctx: OperationContext): Promise<void> {
  let hookFailure: unknown
  if (deps.hooks.beforeFinish) {
    try {
      const response = await deps.hooks.beforeFinish(upload, ctx.request)
      if (response) noteFinishResponse(upload, response)
    } catch (error) {
      hookFailure = error
    }
  }
  await deps.events.finished?.(upload, ctx.request)
  if (hookFailure !== undefined) throw hookFailure
}
