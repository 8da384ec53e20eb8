import type { Upload } from '@tus/utils'
import type { RequestInfo, UploadEvents } from './types.js'

/** The upload events (assemblyFailed is a diagnostic: the engine sends it to its log). */
type EventName = Exclude<keyof UploadEvents, 'assemblyFailed'>

/**
 * One event sink made of several, each told in order and awaited (a sink that makes events durable
 * must have done so before the request is answered). Absent sinks cost nothing per request.
 */
export function composeEvents(...sinks: (UploadEvents | undefined)[]): UploadEvents | undefined {
  const present = sinks.filter((s): s is UploadEvents => s !== undefined)
  if (present.length <= 1) return present[0]
  const fanOut = (name: EventName) => {
    const handlers = present.map((sink) => sink[name]?.bind(sink)).filter((h) => h !== undefined)
    if (handlers.length === 0) return undefined
    return async (upload: Upload, request: RequestInfo) => {
      for (const handler of handlers) await handler(upload, request)
    }
  }
  const composed: UploadEvents = {}
  for (const name of ['created', 'progress', 'finished', 'terminated'] as const) {
    const handler = fanOut(name)
    if (handler) composed[name] = handler
  }
  return composed
}
