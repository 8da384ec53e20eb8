import type { Upload } from '@tus/utils'
import type { HeldFinish, RequestInfo, UploadEvents } from './types.js'

/** The upload events told to every sink (assemblyFailed is a diagnostic: the engine sends it to its log). */
type EventName = Exclude<keyof UploadEvents, 'assemblyFailed' | 'holdFinish'>
type Handler = (upload: Upload, request: RequestInfo, held?: HeldFinish) => unknown

/**
 * One event sink made of several, each told in order and awaited (a sink that makes events durable
 * must have done so before the request is answered). Absent sinks cost nothing per request.
 */
export function composeEvents(...sinks: (UploadEvents | undefined)[]): UploadEvents | undefined {
  const present = sinks.filter((s): s is UploadEvents => s !== undefined)
  if (present.length <= 1) return present[0]
  const fanOut = (name: EventName) => {
    const handlers = present
      .map((sink) => sink[name]?.bind(sink) as Handler | undefined)
      .filter((h) => h !== undefined)
    if (handlers.length === 0) return undefined
    return async (upload: Upload, request: RequestInfo, held?: HeldFinish) => {
      for (const handler of handlers) await handler(upload, request, held)
    }
  }
  const composed: UploadEvents = {}
  for (const name of ['created', 'progress', 'finished', 'terminated'] as const) {
    const handler = fanOut(name)
    if (handler) composed[name] = handler
  }
  const holdFinish = holdsOf(present)
  if (holdFinish) composed.holdFinish = holdFinish
  return composed
}

/** Every sink's hold, taken in order; released or dropped together. */
function holdsOf(sinks: readonly UploadEvents[]): UploadEvents['holdFinish'] {
  const holders = sinks.map((sink) => sink.holdFinish?.bind(sink)).filter((h) => h !== undefined)
  if (holders.length <= 1) return holders[0]
  return async (upload, request) => {
    const holds: HeldFinish[] = []
    try {
      for (const hold of holders) {
        const held = await hold(upload, request)
        if (held) holds.push(held)
      }
    } catch (error) {
      for (const held of holds) held.drop()
      throw error
    }
    if (holds.length === 0) return undefined
    return {
      release: () => {
        for (const held of holds) held.release()
      },
      drop: () => {
        for (const held of holds) held.drop()
      },
    }
  }
}
