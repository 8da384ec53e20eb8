import { isComplete } from '../model/record.js'
import { assembleIfReady } from './assemble-pending.js'
import type { CoreDeps } from './deps.js'
import { readIfExists } from './read-if-exists.js'
import type { OperationContext } from './types.js'

// The markers of pending concatenations (stores/*-pending.ts) are removed by the request that
// assembles a final and by termination. Two things escape those: expiry removes finals and partials
// without looking at markers, and a crash (kill -9) cuts an assembly short, leaving a final
// half-filled and its markers behind. Tending runs after each expiry sweep and once at start-up:
// it drops markers whose final or partial no longer exists (or whose final is complete), and
// assembles again every final whose partials are all finished (a cut assembly is started over or
// resumed by the store's Concatenator; the final is counted complete only once every byte is there).

export interface TendResult {
  /** Markers removed because their final or partial is gone, or their final complete. */
  removed: number
  /** Finals assembled (their assembly had been lost or cut short). */
  assembled: number
}

/** A context for work no client asked for: nothing to abort, no request to report. */
export function backgroundContext(signal: AbortSignal = new AbortController().signal): OperationContext {
  return {
    request: { method: 'TEND', url: '/', remoteAddress: undefined, headers: {} },
    signal,
  }
}

export async function tendPendingConcatenations(
  deps: CoreDeps,
  ctx: OperationContext = backgroundContext(),
): Promise<TendResult> {
  const pending = deps.store.pendingConcatenations
  const result: TendResult = { removed: 0, assembled: 0 }
  if (!pending) return result
  const byFinal = new Map<string, string[]>()
  for (const { partialId, finalId } of await pending.list()) {
    byFinal.set(finalId, [...(byFinal.get(finalId) ?? []), partialId])
  }
  const tendFinal = async (finalId: string, partialIds: readonly string[]): Promise<void> => {
    const drop = async (partialId: string) => {
      await pending.remove(partialId, finalId)
      result.removed++
    }
    const final = await readIfExists(deps, finalId)
    if (!final || isComplete(final)) {
      for (const partialId of partialIds) await drop(partialId)
      return
    }
    // A partial that expired or was removed: this final can never be assembled (it expires in its
    // turn), and the marker of that partial names nothing.
    let partialsThere = true
    for (const partialId of partialIds) {
      if (await readIfExists(deps, partialId)) continue
      partialsThere = false
      await drop(partialId)
    }
    if (!partialsThere) return
    // Waiting for a partial still in progress ('waiting'), or assembled now: its markers go with it.
    const assembly = await assembleIfReady(deps, finalId, ctx)
    if (assembly.state === 'assembled') result.assembled++
  }
  const failures: unknown[] = []
  for (const [finalId, partialIds] of byFinal) {
    // One final that cannot be tended (its lock held, the store failing) does not stop the others.
    await tendFinal(finalId, partialIds).catch((error: unknown) => void failures.push(error))
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} pending concatenations not tended`)
  return result
}
