import { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isComplete, isPartial, newMetadataRecord } from '../model/record.js'
import { newUploadId } from '../model/upload-id.js'
import { effectiveMaxSize } from './create.js'
import { askBeforeCreate } from './creation-hooks.js'
import { accessibleUpload, authenticate, type CoreDeps } from './deps.js'
import { finishWithHooks } from './finish-hooks.js'
import { lockUploads } from './locks.js'
import type { ConcatenateInput, OperationContext } from './types.js'

/**
 * Creates a final upload from finished partial uploads, in the order given (the same partial may
 * appear more than once). The store assembles the bytes (its Concatenator); the final upload is
 * complete when this resolves. Its metadata comes only from this request: "the partial uploads'
 * metadata SHALL NOT be transferred to the new final upload".
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
  const checked = await Promise.all(unique.map((id) => finishedPartial(deps, id, ctx)))
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
    }),
  })
  if (deps.hooks.beforeCreate) {
    // The hook sees the length the partials (all finished) add up to; it is checked again under the locks.
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
        }),
      grant?.metadata ?? input.metadata,
      ctx,
    )
  }
  // The partials are locked while they are read, so that none is deleted half-way through.
  const locks = await lockUploads(deps.locker, [final.id, ...unique], ctx.signal)
  try {
    const byId = new Map<string, Upload>()
    for (const id of unique) byId.set(id, await finishedPartial(deps, id, ctx))
    const partials = input.partialIds.map((id) => byId.get(id) as Upload)
    // "The length of the final upload MUST be the sum of the length of all partial uploads."
    final.size = partials.reduce((sum, partial) => sum + (partial.size ?? 0), 0)
    if (maxSize > 0 && final.size > maxSize) {
      throw ERR.TOO_LARGE(`the partial uploads add up to ${final.size} > maximum ${maxSize}`)
    }
    await datastore.create(final)
    await deps.events.created?.(final, ctx.request)
    try {
      await concatenate(final, partials)
      const assembled = await datastore.getUpload(final.id)
      if (assembled.offset !== final.size)
        throw new Error(`assembled ${assembled.offset} of ${final.size} bytes`)
      final.offset = assembled.offset
    } catch (error) {
      // A final upload that could not be assembled must not stay behind looking like one.
      await datastore.remove(final.id).catch(() => {})
      throw error
    }
  } finally {
    await locks.release()
  }
  await finishWithHooks(deps, final, ctx)
  return final
}

/** A partial upload that can be concatenated now: it exists, may be read, is partial, is finished. */
async function finishedPartial(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Upload> {
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
  // Tusk does not offer concatenation-unfinished: "This concatenation request SHOULD happen after
  // all of the corresponding partial uploads are completed."
  if (!isComplete(upload)) throw ERR.INVALID_CONCAT(`partial upload ${id} is not finished`)
  return upload
}
