import cors from '@koa/cors'
import { HEADERS } from '@tus/utils'
import type { Context, Middleware } from 'koa'
import type { Config } from '../config/schema.js'

const TUS_METHODS = ['POST', 'GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']

/** CORS for browsers: the tus headers both ways, plus whatever the operator adds. */
export function corsMiddleware(config: Config): Middleware {
  const anyOrigin = config.corsOrigins.includes('*')
  const allowedOrigin = (ctx: Context) => {
    const origin = ctx.get('origin')
    if (anyOrigin) return config.corsCredentials ? origin : '*'
    return config.corsOrigins.includes(origin) ? origin : ''
  }
  const exposeHeaders = [
    ...HEADERS,
    'Upload-Expires',
    'Tus-Checksum-Algorithm',
    'X-Request-Id',
    'Content-Range',
    'Content-Disposition',
    // Why a request was refused, and when to come back (401, 423, 429, 503).
    'WWW-Authenticate',
    'Retry-After',
    ...config.corsExposedHeaders,
  ]
  const standard = cors({
    origin: allowedOrigin,
    allowMethods: TUS_METHODS,
    // Authorization: the bearer token of authenticated uploads (with credentials when configured).
    allowHeaders: [
      ...HEADERS,
      'Upload-Checksum',
      'X-Request-Id',
      'Authorization',
      ...config.corsAllowedHeaders,
    ],
    exposeHeaders,
    credentials: config.corsCredentials,
    maxAge: 86_400,
    keepHeadersOnError: true,
  })
  return async (ctx, next) => {
    // A page's own OPTIONS request (tus discovery, not a preflight: no Access-Control-Request-Method)
    // is a plain cross-origin request, which @koa/cors leaves alone; without these headers the page
    // could not read Tus-Extension and would never learn what the server supports.
    if (ctx.method === 'OPTIONS' && ctx.get('origin') && !ctx.get('access-control-request-method')) {
      const origin = allowedOrigin(ctx)
      ctx.vary('Origin')
      if (origin) {
        ctx.set('Access-Control-Allow-Origin', origin)
        ctx.set('Access-Control-Expose-Headers', exposeHeaders.join(','))
        if (config.corsCredentials) ctx.set('Access-Control-Allow-Credentials', 'true')
      }
      return next()
    }
    return standard(ctx, next)
  }
}
