import { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isComplete, isPartial, newMetadataRecord } from '../model/record.js'
import { newUploadId } from '../model/upload-id.js'
import { assembleIfReady } from './assemble-pending.js'
import { effectiveMaxSize } from './create.js'
import { askBeforeCreate } from './creation-hooks.js'
import { accessibleUpload, authenticate, type CoreDeps } from './deps.js'
import { finishWithHooks, holdFinish } from './finish-hooks.js'
import { lockUploads } from './locks.js'
import type { ConcatenateInput, HeldFinish, OperationContext } from './types.js'

/**
 * Creates a final upload from partial uploads, in the order given (the same partial may appear more
 * than once). The store assembles the bytes (its Concatenator). When every partial is finished, the
 * final upload is complete when this resolves. Where the store keeps pending concatenations
 * (concatenation-unfinished), partials may still be in progress: the final upload is created with
 * their summed length and no bytes, recorded as waiting for each unfinished partial, and assembled by
 * the request that finishes the last of them (assemble-pending.ts). Its metadata comes only from this
 * request: "the partial uploads' metadata SHALL NOT be transferred to the new final upload".
 */
export async function concatenateUploads(
  deps: CoreDeps,
  input: ConcatenateInput,
  ctx: OperationContext,
): Promise<Upload> {
  const { store } = deps
  const { datastore } = store
  const concatenate = store.concatenate?.bind(store)
  if (!concatenate) throw ERR.CONCAT_UNSUPPORTED()
  if (input.partialIds.length === 0) throw ERR.INVALID_CONCAT('no partial uploads are named')
  await authenticate(deps, ctx)
  const unique = [...new Set(input.partialIds)]
  // Checked once before locking: asking for the lock of a partial that is still receiving an append
  // would make that append stop (the locker asks holders to let go), only to refuse this request.
  const unfinishedAllowed = deps.capabilities.concatenateUnfinished
  const checked = await Promise.all(unique.map((id) => usablePartial(deps, id, ctx, unfinishedAllowed)))
  const grant = await deps.authorizer.authorize({
    intent: 'concatenate',
    request: ctx.request,
    partials: checked,
  })
  let maxSize = effectiveMaxSize(deps.maxSize, grant?.maxSize)

  const final = new Upload({
    id: newUploadId(),
    offset: 0,
    metadata: newMetadataRecord(grant?.metadata ?? input.metadata, input.concat, {
      owner: grant?.owner,
      maxSize: grant?.maxSize,
      partials: input.partialIds,
    }),
  })
  if (deps.hooks.beforeCreate) {
    // The hook sees the length the partials add up to; it is checked again under the locks.
    const sizes = new Map(checked.map((partial) => [partial.id, partial.size ?? 0]))
    final.size = input.partialIds.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0)
    maxSize = await askBeforeCreate(
      deps,
      final,
      maxSize,
      (metadata, lowered) =>
        newMetadataRecord(metadata, input.concat, {
          owner: grant?.owner,
          maxSize: lowered ?? grant?.maxSize,
          partials: input.partialIds,
        }),
      grant?.metadata ?? input.metadata,
      ctx,
    )
  }
  if (!checked.every(isComplete)) return createPending(deps, final, input.partialIds, checked, maxSize, ctx)
  const pending = deps.store.pendingConcatenations
  const forget = async (ids: readonly string[], finalId: string) => {
    if (pending) for (const id of ids) await pending.remove(id, finalId)
  }
  // The partials are locked while they are read, so that none is deleted half-way through.
  const locks = await lockUploads(deps.locker, [final.id, ...unique], ctx.signal)
  let held: HeldFinish | undefined
  try {
    const byId = new Map<string, Upload>()
    for (const id of unique) byId.set(id, await usablePartial(deps, id, ctx, false))
    const partials = input.partialIds.map((id) => byId.get(id) as Upload)
    // "The length of the final upload MUST be the sum of the length of all partial uploads."
    final.size = partials.reduce((sum, partial) => sum + (partial.size ?? 0), 0)
    if (maxSize > 0 && final.size > maxSize) {
      throw ERR.TOO_LARGE(`the partial uploads add up to ${final.size} > maximum ${maxSize}`)
    }
    await datastore.create(final)
    await deps.events.created?.(final, ctx.request)
    held = await holdFinish(deps, final, final.size, undefined, ctx)
    try {
      // Recorded as pending while it is assembled: if this process dies mid-way (kill -9), the
      // markers are how the start-up after finds the half-filled final and assembles it again.
      if (pending) for (const id of unique) await pending.add(id, final.id)
      await concatenate(final, partials)
      const assembled = await datastore.getUpload(final.id)
      if (assembled.offset !== final.size)
        throw new Error(`assembled ${assembled.offset} of ${final.size} bytes`)
      final.offset = assembled.offset
    } catch (error) {
      // A final upload that could not be assembled must not stay behind looking like one.
      await datastore.remove(final.id).catch(() => {})
      await forget(unique, final.id).catch(() => {})
      throw error
    }
  } catch (error) {
    held?.drop()
    throw error
  } finally {
    await locks.release()
  }
  try {
    await forget(unique, final.id)
    await finishWithHooks(deps, final, ctx, held)
  } finally {
    held?.drop() // nothing once released
  }
  return final
}

/**
 * A final upload over partials some of which are still in progress: created now with their summed
 * length, recorded as waiting for every partial, then assembled at once if they all finished while
 * this request ran (their own requests found nothing waiting for them then). The partials are not
 * locked: asking for the lock of one still receiving an append would make that append stop.
 */
async function createPending(
  deps: CoreDeps,
  final: Upload,
  partialIds: readonly string[],
  checked: readonly Upload[],
  maxSize: number,
  ctx: OperationContext,
): Promise<Upload> {
  const pending = deps.store.pendingConcatenations
  if (!pending) throw ERR.INVALID_CONCAT('a partial upload is not finished')
  const sizes = new Map(checked.map((partial) => [partial.id, partial.size as number]))
  // "The length of the final upload MUST be the sum of the length of all partial uploads."
  final.size = partialIds.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0)
  if (maxSize > 0 && final.size > maxSize) {
    throw ERR.TOO_LARGE(`the partial uploads add up to ${final.size} > maximum ${maxSize}`)
  }
  await deps.store.datastore.create(final)
  try {
    for (const id of new Set(partialIds)) await pending.add(id, final.id)
  } catch (error) {
    await deps.store.datastore.remove(final.id).catch(() => {})
    throw error
  }
  await deps.events.created?.(final, ctx.request)
  const result = await assembleIfReady(deps, final.id, ctx)
  return result.state === 'assembled' ? result.final : final
}

/**
 * A partial upload that can be concatenated: it exists, may be read, is partial, and is finished,
 * or (`unfinishedAllowed`, concatenation-unfinished) is in progress with its length known, so that
 * the final upload's length is known from the start.
 */
async function usablePartial(
  deps: CoreDeps,
  id: string,
  ctx: OperationContext,
  unfinishedAllowed: boolean,
): Promise<Upload> {
  let upload: Upload
  try {
    upload = await accessibleUpload(deps, id, 'read', ctx)
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === 404) throw ERR.INVALID_CONCAT(`partial upload ${id} does not exist`)
    if (status === 410) throw ERR.INVALID_CONCAT(`partial upload ${id} has expired`)
    throw error
  }
  if (!isPartial(upload)) throw ERR.INVALID_CONCAT(`upload ${id} is not a partial upload`)
  if (isComplete(upload)) return upload
  // Without concatenation-unfinished: "This concatenation request SHOULD happen after all of the
  // corresponding partial uploads are completed."
  if (!unfinishedAllowed) throw ERR.INVALID_CONCAT(`partial upload ${id} is not finished`)
  if (upload.size === undefined) {
    throw ERR.INVALID_CONCAT(`partial upload ${id} has no length yet; declare it before concatenating`)
  }
  return upload
}
