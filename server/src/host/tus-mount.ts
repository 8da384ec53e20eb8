import type { Middleware } from 'koa'
import type { TusProtocol } from '../tus/dispatch.js'

/**
 * Hands every request under the base path (the base path itself, with or without a trailing
 * slash, and everything below it) to the protocol layer with Koa's response handling switched off.
 * A router pattern such as "/files/(.*)" misses creation at "POST /files"; a prefix test cannot.
 */
export function tusMount(basePath: string, protocol: TusProtocol, inFlight: Set<Promise<void>>): Middleware {
  const prefix = basePath === '/' ? '' : basePath
  return async (ctx, next) => {
    const path = ctx.path
    if (path !== prefix && path !== `${prefix}/` && !path.startsWith(`${prefix}/`)) return next()
    ctx.respond = false
    const work = protocol.handle(ctx.req, ctx.res)
    inFlight.add(work)
    try {
      await work
    } finally {
      inFlight.delete(work)
    }
  }
}
