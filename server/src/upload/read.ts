import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isExpired } from '../model/expiry.js'
import { isComplete, isFinal } from '../model/record.js'
import type { StoredObject } from '../stores/types.js'
import { assembleIfReady } from './assemble-pending.js'
import { accessibleUpload, authenticate, authorizeBeforeLock, type CoreDeps, readUpload } from './deps.js'
import { FinishedRecords } from './finished-records.js'
import { lockUploads } from './locks.js'
import type { Download, OperationContext } from './types.js'

/** Reports a recovery assembly that failed (a read answers without it), instead of hiding it. */
const assemblyFailed =
  (deps: CoreDeps, id: string, ctx: OperationContext) =>
  (error: unknown): undefined => {
    deps.events.assemblyFailed?.(id, error, ctx.request)
    return undefined
  }

/**
 * The state of an upload (offset, length, metadata), read under its lock like @tus/server's HEAD:
 * a resuming client's request makes a stale append on the same upload let go, and sees the offset
 * after that append has stored what it received.
 */
export async function readUploadState(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Upload> {
  await authorizeBeforeLock(deps, id, 'read', ctx)
  const locks = await lockUploads(deps.locker, [id], ctx.signal)
  let upload: Upload
  try {
    upload = await accessibleUpload(deps, id, 'read', ctx)
  } finally {
    await locks.release()
  }
  // A final upload still waiting for its partials: normally the request finishing the last partial
  // assembles it; if that request failed or its instance died first, this read does.
  // A failure to assemble is not this read's: it answers the state as stored (no offset yet).
  if (isFinal(upload) && !isComplete(upload) && deps.store.pendingConcatenations) {
    const result = await assembleIfReady(deps, id, ctx).catch(assemblyFailed(deps, id, ctx))
    if (result?.state === 'assembled') return result.final
  }
  return upload
}

/**
 * A download of an unfinished final upload whose partials are all finished: its assembly was lost
 * or cut short (a crash), so it is assembled now, and served only once every byte is there.
 */
async function assembledFinal(deps: CoreDeps, upload: Upload, ctx: OperationContext): Promise<Upload> {
  if (!isFinal(upload) || !deps.store.pendingConcatenations) throw ERR.NOT_FINISHED()
  const result = await assembleIfReady(deps, upload.id, ctx).catch(assemblyFailed(deps, upload.id, ctx))
  if (result?.state !== 'assembled') throw ERR.NOT_FINISHED()
  return result.final
}

// One set of kept records per upload core (its deps object), created on its first download.
const finishedRecords = new WeakMap<CoreDeps, FinishedRecords>()
const KEPT_RECORDS = 5000

function recordsOf(deps: CoreDeps): FinishedRecords {
  let records = finishedRecords.get(deps)
  if (records === undefined) {
    records = new FinishedRecords(KEPT_RECORDS)
    finishedRecords.set(deps, records)
  }
  return records
}

/** The same checks as accessibleUpload's for the download intent, on a record already read. */
async function admitDownload(deps: CoreDeps, upload: Upload, ctx: OperationContext): Promise<void> {
  await deps.authorizer.authorize({ intent: 'download', request: ctx.request, upload })
  if (isExpired(upload, deps.expiryPeriod)) throw ERR.GONE()
}

/**
 * A finished upload, opened for reading (no lock: a finished upload's bytes no longer change).
 * The requester is authenticated first, as for every operation. A download of an upload this core
 * served before reads only the object's stat (see FinishedRecords); otherwise the record, then the
 * stat. The authorizer sees the record either way.
 */
export async function openDownload(deps: CoreDeps, id: string, ctx: OperationContext): Promise<Download> {
  await authenticate(deps, ctx)
  const records = recordsOf(deps)
  // Only an upload with a kept record is stat'ed first: any other costs no extra store request.
  const known = records.has(id) ? await deps.store.stat(id).catch(() => undefined) : undefined
  const kept = known && records.get(id, known)
  if (known && kept) {
    await admitDownload(deps, kept, ctx)
    return downloadOf(deps, id, kept, known)
  }
  let upload = await readUpload(deps, id)
  await admitDownload(deps, upload, ctx)
  if (!isComplete(upload)) upload = await assembledFinal(deps, upload, ctx)
  const object = await deps.store.stat(id)
  records.remember(id, upload, object)
  return downloadOf(deps, id, upload, object)
}

function downloadOf(deps: CoreDeps, id: string, upload: Upload, object: StoredObject): Download {
  // A whole file is read with its end given, so the file stream stops at the last byte instead of
  // making one more read to find the end of the file. (S3 answers a ranged GET differently, so its
  // whole-object read stays unranged.)
  const whole = deps.store.kind === 'file' && object.size > 0 ? { start: 0, end: object.size - 1 } : undefined
  const { store } = deps
  const redirect =
    store.downloadUrl &&
    ((headers: Parameters<NonNullable<Download['redirect']>>[0]) =>
      store.downloadUrl?.(id, headers) ?? Promise.resolve(undefined))
  return { upload, object, open: (range) => store.createReadStream(id, range ?? whole), redirect }
}
