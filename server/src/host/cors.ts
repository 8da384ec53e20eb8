import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@koa/cors'
import { HEADERS } from '@tus/utils'
import type { Middleware } from 'koa'
import type { Config } from '../config/schema.js'

type CorsConfig = Pick<
  Config,
  'corsOrigins' | 'corsCredentials' | 'corsAllowedHeaders' | 'corsExposedHeaders'
>

const TUS_METHODS = ['POST', 'GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']

/** The Access-Control-Allow-Origin a request's Origin gets ('' for none). */
function allowedOriginOf(config: CorsConfig): (origin: string) => string {
  const anyOrigin = config.corsOrigins.includes('*')
  return (origin) => {
    if (anyOrigin) return config.corsCredentials ? origin : '*'
    return config.corsOrigins.includes(origin) ? origin : ''
  }
}

function exposedHeaders(config: CorsConfig): string[] {
  return [
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
}

/**
 * CORS for browsers: the tus headers both ways, plus whatever the operator adds (@koa/cors). The
 * host sends the tus methods other than OPTIONS past Koa, with the headers of simpleCorsHeaders.
 */
export function corsMiddleware(config: CorsConfig): Middleware {
  const allowed = allowedOriginOf(config)
  const allowedOrigin = (ctx: { get(name: string): string }) => allowed(ctx.get('origin'))
  const exposeHeaders = exposedHeaders(config)
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

/**
 * What corsMiddleware (@koa/cors 5) sets on a request that is not OPTIONS (not a preflight), for the
 * tus requests the host answers without Koa: Vary: Origin always; for an allowed origin (any request,
 * when every origin is: @koa/cors does not look for an Origin header then) Access-Control-Allow-Origin,
 * -Credentials when configured, and -Expose-Headers. The values are computed once.
 */
export function simpleCorsHeaders(config: CorsConfig): (req: IncomingMessage, res: ServerResponse) => void {
  const allowed = allowedOriginOf(config)
  const expose = exposedHeaders(config).join(',')
  return (req, res) => {
    res.setHeader('Vary', 'Origin')
    const origin = allowed(req.headers.origin ?? '')
    if (!origin) return
    res.setHeader('Access-Control-Allow-Origin', origin)
    if (config.corsCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
    res.setHeader('Access-Control-Expose-Headers', expose)
  }
}
