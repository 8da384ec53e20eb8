import type { Locker, Upload } from '@tus/utils'
import { ERRORS } from '@tus/utils'
import { ERR } from '../errors.js'
import { isExpired } from '../model/expiry.js'
import { protocolOf } from '../model/record.js'
import type { StoreCapabilities, TuskStore } from '../stores/types.js'
import type { UploadHooks } from './hooks.js'
import type { Authorizer, Intent, OperationContext, UploadEvents } from './types.js'

/** What the upload core's operations work with; built once by createUploadCore. */
export interface CoreDeps {
  readonly store: TuskStore
  readonly locker: Locker
  /** Largest upload in bytes (0 = no limit). */
  readonly maxSize: number
  readonly capabilities: StoreCapabilities
  /** Unfinished uploads expire this long after creation (0 = never). */
  readonly expiryPeriod: number
  readonly stagingDirectory: string
  readonly authorizer: Authorizer
  readonly events: UploadEvents
  readonly hooks: UploadHooks
  /** Whether the authorizer is the open policy (then nothing is read just to authorize). */
  readonly open: boolean
}

/** An upload's stored state; 404 when the store has no such upload. */
export async function readUpload(deps: Pick<CoreDeps, 'store'>, id: string): Promise<Upload> {
  try {
    return await deps.store.datastore.getUpload(id)
  } catch (error) {
    if (error === ERRORS.FILE_NOT_FOUND) throw ERR.NOT_FOUND()
    if (error === ERRORS.FILE_NO_LONGER_EXISTS) throw ERR.GONE()
    throw error
  }
}

/** An upload the request may act on: it exists, the authorizer allows the intent, it has not expired. */
export async function accessibleUpload(
  deps: CoreDeps,
  id: string,
  intent: Exclude<Intent, 'create' | 'concatenate'>,
  ctx: OperationContext,
): Promise<Upload> {
  await authenticate(deps, ctx)
  const upload = await readUpload(deps, id)
  await deps.authorizer.authorize({ intent, request: ctx.request, upload })
  if (intent !== 'download' && ctx.protocol !== undefined && protocolOf(upload) !== ctx.protocol) {
    throw ERR.OTHER_PROTOCOL(
      `it was made with ${protocolOf(upload) === 'ietf' ? 'the resumable-upload draft' : 'tus v1'}`,
    )
  }
  // "If a Client does attempt to resume an upload which has since been removed by the Server, the
  // Server SHOULD respond with the 404 Not Found or 410 Gone status."
  if (intent !== 'terminate' && isExpired(upload, deps.expiryPeriod)) throw ERR.GONE()
  return upload
}

/**
 * Authorizes before the upload's lock is asked for: waiting for a lock makes its holder (a PATCH)
 * let go, which nobody who may not touch the upload should be able to cause. With the open policy
 * there is nothing to check, and the upload is read only once, under the lock.
 */
export async function authorizeBeforeLock(
  deps: CoreDeps,
  id: string,
  intent: Exclude<Intent, 'create' | 'concatenate'>,
  ctx: OperationContext,
): Promise<void> {
  if (!deps.open) await accessibleUpload(deps, id, intent, ctx)
}

/** The requester's credential is checked before anything is read (401 alike for every upload). */
export async function authenticate(deps: CoreDeps, ctx: OperationContext): Promise<void> {
  await deps.authorizer.authenticate?.(ctx.request)
}
