import type { Middleware } from 'koa'
import { TuskError } from '../errors.js'
import type { TuskLocker } from '../lockers/index.js'
import type { TuskStore } from '../stores/types.js'

// Tusk's own errors carry a client-safe sentence; for anything else only its code is shown.
const reasonOf = (error: unknown) =>
  error instanceof TuskError ? error.message : ((error as { code?: string }).code ?? 'check failed')

/**
 * GET /health: the process answers. GET /ready: and it can take uploads now: its store accepts
 * writes and its locker can lock (Redis answers, the lock directory is writable). A load balancer
 * takes an instance that is not ready out of rotation.
 */
export function healthRoutes(
  store: TuskStore,
  locker: TuskLocker,
  isShuttingDown: () => boolean,
): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (ctx.path === '/health') {
      ctx.body = { status: 'ok' }
      return
    }
    if (ctx.path !== '/ready') return next()
    if (isShuttingDown()) {
      ctx.status = 503
      ctx.body = { status: 'shutting down' }
      return
    }
    const [storeCheck, lockerCheck] = await Promise.allSettled([store.checkWritable(), locker.checkReady()])
    const body: Record<string, string> = { status: 'ready', store: store.kind, locker: locker.kind }
    if (storeCheck.status === 'rejected') body.storeError = reasonOf(storeCheck.reason)
    if (lockerCheck.status === 'rejected') body.lockerError = reasonOf(lockerCheck.reason)
    if (body.storeError || body.lockerError) {
      body.status = 'not ready'
      ctx.status = 503
    }
    ctx.body = body
  }
}
