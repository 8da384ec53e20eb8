import type { Upload } from '@tus/utils'
import { TuskError } from '../errors.js'
import { isComplete, isFinal, partialIdsOf } from '../model/record.js'
import type { CoreDeps } from './deps.js'
import { finishWithHooks, holdFinish } from './finish-hooks.js'
import { lockUploads } from './locks.js'
import { readIfExists } from './read-if-exists.js'
import type { HeldFinish, OperationContext } from './types.js'

// concatenation-unfinished: a final upload created before its partials finished is assembled by
// whichever request finishes the last of them: no timer, no polling. The store records which finals
// wait for which partial (PendingConcatenations); the request that finishes a partial looks there.
// Races are closed from both sides: a final is recorded as waiting before its creator checks its
// partials again, and a partial is complete in the store before its request looks for finals, so at
// least one of the two sees both. The final's lock makes the assembly happen once.

export type AssemblyResult =
  | { state: 'assembled'; final: Upload }
  /** Some partial is not finished yet: the request finishing it will assemble. */
  | { state: 'waiting' }
  /** The final upload, or one of its partials, no longer exists: there is nothing to assemble. */
  | { state: 'gone' }

/**
 * Assembles final upload `finalId` if all its partials are finished and nobody did it yet; then
 * the final upload is finished (pre-finish hook, finished event) as part of this request.
 */
export async function assembleIfReady(
  deps: CoreDeps,
  finalId: string,
  ctx: OperationContext,
): Promise<AssemblyResult> {
  const concatenate = deps.store.concatenate?.bind(deps.store)
  if (!concatenate) return { state: 'gone' }
  let final = await readIfExists(deps, finalId)
  if (!final) return { state: 'gone' }
  const partialIds = partialIdsOf(final)
  if (!isFinal(final) || !partialIds) return { state: 'gone' }
  if (isComplete(final)) return { state: 'assembled', final }
  const unique = [...new Set(partialIds)]
  // First without locks: asking for the lock of a partial still receiving an append would stop it.
  const first = await readPartials(deps, unique)
  if (first !== 'ready') return { state: first }
  // All finished: now they are locked (no append holds them any more), so that none is deleted mid-copy.
  const locks = await lockUploads(deps.locker, [finalId, ...unique], ctx.signal)
  let held: HeldFinish | undefined
  try {
    final = await readIfExists(deps, finalId)
    if (!final) return { state: 'gone' }
    // Another request assembled it while this one waited for the locks.
    if (isComplete(final)) return { state: 'assembled', final }
    const byId = new Map<string, Upload>()
    const state = await readPartials(deps, unique, byId)
    if (state !== 'ready') return { state }
    held = await holdFinish(deps, final, final.size, undefined, ctx)
    // An assembly cut short (a crash, a failed copy) leaves the final unfinished; the next read of it,
    // and the tending at start-up (tend-pending.ts), try again: every store's Concatenator can start
    // over or resume (S3 copies its parts again, the file store writes from the start, Azure appends
    // what is missing), and the final counts as complete only once all its bytes are there.
    await concatenate(
      final,
      partialIds.map((id) => byId.get(id) as Upload),
    )
    const assembled = await deps.store.datastore.getUpload(finalId)
    if (assembled.offset !== final.size)
      throw new Error(`assembled ${assembled.offset} of ${final.size} bytes`)
    final.offset = assembled.offset
  } catch (error) {
    held?.drop()
    // Assembled meanwhile by another instance whose lock this one could not see (it shares the
    // storage but not the locker, or its lock was lost): its copy won, so this request has nothing
    // left to do, and the finish (events, marker removal) is that instance's.
    const now = await readIfExists(deps, finalId).catch(() => undefined)
    if (now && isComplete(now)) return { state: 'assembled', final: now }
    throw error
  } finally {
    await locks.release()
  }
  try {
    const pending = deps.store.pendingConcatenations
    if (pending) for (const id of unique) await pending.remove(id, finalId)
    await finishWithHooks(deps, final, ctx, held)
  } finally {
    held?.drop() // nothing once released
  }
  return { state: 'assembled', final }
}

/** Reads the partials: 'ready' when all are finished (into `into`), else why not. */
async function readPartials(
  deps: CoreDeps,
  ids: readonly string[],
  into = new Map<string, Upload>(),
): Promise<'ready' | 'waiting' | 'gone'> {
  for (const id of ids) {
    const partial = await readIfExists(deps, id)
    if (!partial) return 'gone'
    if (!isComplete(partial)) return 'waiting'
    into.set(id, partial)
  }
  return 'ready'
}

/**
 * After partial `partialId` finished: assembles every final upload that was waiting for it and now
 * can be. Throws only a final's pre-finish hook failure. A final that cannot be assembled now (the store failing mid-copy) is not the
 * failure of the request that finished the partial: that partial's bytes are stored and it is
 * complete, so the request still succeeds. The failure is reported (assemblyFailed, to the log), and
 * the final is assembled by its next read or by the tending; its marker stays for that.
 */
export async function assembleWaitingFinals(
  deps: CoreDeps,
  partialId: string,
  ctx: OperationContext,
): Promise<void> {
  const pending = deps.store.pendingConcatenations
  if (!pending) return
  const failed = (id: string) => (error: unknown) => deps.events.assemblyFailed?.(id, error, ctx.request)
  const finalIds = await pending.waitingFor(partialId).catch(failed(partialId))
  let hookFailure: unknown
  for (const finalId of finalIds ?? []) {
    try {
      const result = await assembleIfReady(deps, finalId, ctx)
      // Entries left behind by a final that was terminated or expired, or by an assembly whose
      // instance died before tidying up, are dropped here.
      if (result.state !== 'waiting') await pending.remove(partialId, finalId)
    } catch (error) {
      // The final was assembled, but its pre-finish hook failed: as for any upload a request
      // finishes, that is the request's answer (finish-hooks.ts), after the other finals.
      if (error instanceof TuskError && error.code === 'ERR_HOOK_FAILED') hookFailure ??= error
      else failed(finalId)(error)
    }
  }
  if (hookFailure !== undefined) throw hookFailure
}
