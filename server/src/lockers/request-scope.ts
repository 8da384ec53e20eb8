import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingMessage, ServerResponse } from 'node:http'

// @tus/server hands a Lock only the upload id, an abort signal it owns and a polite "please release"
// callback (which waits lockDrainTimeout before stopping the request). Fencing needs more: a holder
// that lost its lease must stop writing *now*. The request each lock is taken for is found through
// this async-local scope, entered once per HTTP request in server.ts.

type Scope = { req: IncomingMessage; res: ServerResponse }
const storage = new AsyncLocalStorage<Scope>()

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** Wraps an HTTP request handler so that locks taken while serving a request can fence it. */
export function withRequestScope(handler: Handler): Handler {
  return (req, res) => storage.run({ req, res }, handler, req, res)
}

/**
 * A function that cuts the current request at once: its body stops flowing into the store (the
 * bytes already written stay, so the client can resume) and the client sees a closed connection.
 * Undefined outside a request scope (programmatic use of a lock).
 */
export function currentRequestFence(): ((reason: Error) => void) | undefined {
  const scope = storage.getStore()
  if (!scope) return undefined
  return (reason) => {
    // IncomingMessage only emits 'error' when someone listens, so this cannot crash the process.
    scope.req.destroy(reason)
    scope.res.destroy()
  }
}
