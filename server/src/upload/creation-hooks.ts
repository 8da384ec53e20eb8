import { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import type { ClientMetadata, MetadataRecord } from '../model/record.js'
import { isUploadId } from '../model/upload-id.js'
import type { CoreDeps } from './deps.js'
import type { OperationContext } from './types.js'

/** Metadata a hook may set, as sent on the wire (base64): more would not fit in a HEAD answer. */
const MAX_HOOK_METADATA_BYTES = 8 * 1024

/**
 * Asks the pre-create hook about an upload about to be created (or assembled) and applies its
 * changes to it: another id (checked: URL-safe and not in use), other metadata (at most 8 KiB) and a
 * lower size limit, recorded in the upload so later appends honour it. Returns the limit that
 * applies. A hook's bad answer is the hook's fault, not the client's: 503 with the reason.
 */
export async function askBeforeCreate(
  deps: CoreDeps,
  upload: Upload,
  maxSize: number,
  record: (metadata: ClientMetadata | undefined, maxSize: number | undefined) => MetadataRecord | undefined,
  metadata: ClientMetadata | undefined,
  ctx: OperationContext,
): Promise<number> {
  const hook = deps.hooks.beforeCreate
  if (!hook) return maxSize
  // The hook sees no id yet (tusd's ID is empty in pre-create); @tus's Upload refuses to be made without one.
  const proposal = new Upload({ id: upload.id, size: upload.size, offset: 0, metadata: upload.metadata })
  proposal.id = ''
  const changes = await hook(proposal, ctx.request)
  if (!changes) return maxSize
  let limit = maxSize
  let lowered: number | undefined
  if (changes.maxSize !== undefined) {
    if (!Number.isSafeInteger(changes.maxSize) || changes.maxSize < 0) {
      throw ERR.HOOK_FAILED('the pre-create hook returned an invalid size limit')
    }
    if (limit === 0 || changes.maxSize < limit) limit = lowered = changes.maxSize
  }
  if (changes.metadata && Buffer.byteLength(changes.metadata.raw) > MAX_HOOK_METADATA_BYTES) {
    throw ERR.HOOK_FAILED(
      `the pre-create hook returned metadata larger than ${MAX_HOOK_METADATA_BYTES} bytes`,
    )
  }
  if (changes.metadata || lowered !== undefined) {
    upload.metadata = record(changes.metadata ?? metadata, lowered)
  }
  if (changes.id !== undefined) {
    if (!isUploadId(changes.id)) throw ERR.HOOK_FAILED('the pre-create hook returned an invalid upload id')
    if (await exists(deps, changes.id)) {
      throw ERR.HOOK_FAILED('the pre-create hook returned the id of an existing upload')
    }
    upload.id = changes.id
  }
  if (upload.size !== undefined && limit > 0 && upload.size > limit) {
    throw ERR.TOO_LARGE(`length ${upload.size} > ${limit} allowed for this upload`)
  }
  return limit
}

async function exists(deps: CoreDeps, id: string): Promise<boolean> {
  try {
    await deps.store.datastore.getUpload(id)
    return true
  } catch {
    return false
  }
}
