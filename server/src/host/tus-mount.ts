import type { Middleware } from 'koa'
import type { TuskEngine } from '../engine.js'

/**
 * Hands every request under the base path (the base path itself, with or without a trailing
 * slash, and everything below it) to the protocol layer with Koa's response handling switched off.
 * A router pattern such as "/files/(.*)" misses creation at "POST /files"; a prefix test cannot.
 * (The host sends most of them past Koa: see app.ts; OPTIONS comes this way, after @koa/cors.)
 */
export function tusMount(basePath: string, engine: Pick<TuskEngine, 'protocol' | 'track'>): Middleware {
  const under = underBasePath(basePath)
  return async (ctx, next) => {
    if (!under(ctx.path)) return next()
    ctx.respond = false
    await engine.track(engine.protocol.handle(ctx.req, ctx.res))
  }
}

/** Whether a path is the base path itself (with or without a trailing slash) or below it. */
export function underBasePath(basePath: string): (path: string) => boolean {
  const prefix = basePath === '/' ? '' : basePath
  return (path) => path === prefix || path === `${prefix}/` || path.startsWith(`${prefix}/`)
}
