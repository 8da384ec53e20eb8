import { z } from 'zod'
import { parseDuration, parseSize } from './units.js'

// The one description of Tusk's configuration. Defaults live here and nowhere else; the README's
// configuration table is written from this file. Every key can be set by a CLI flag (--kebab-case),
// an environment variable (TUSK_SCREAMING_SNAKE) or a JSON config file (--config), in that precedence.

const size = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const bytes = parseSize(value)
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a byte size such as 1073741824 or "8MiB"` })
      return z.NEVER
    }
    return bytes
  })

const duration = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = parseDuration(value)
    if (!Number.isSafeInteger(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} as a duration such as 30000 (ms) or "30s"` })
      return z.NEVER
    }
    return ms
  })

const list = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean),
  )

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1')

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1').describe('interface to listen on'),
    port: int(0, 65535).default(1080).describe('TCP port (0 picks a free one)'),
    basePath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~\-/]*$/, 'expected a URL path starting with "/"')
      .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') : p))
      .default('/files')
      .describe('URL path the tus endpoint is served under'),
    store: z.enum(['file']).default('file').describe('where upload bytes live: file (embedded default)'),
    dataDir: z.string().min(1).default('./data').describe('directory of the file store'),
    maxSize: size('the maximum upload size')
      .default(10 * 2 ** 30)
      .describe('largest accepted upload in bytes (advertised as Tus-Max-Size)'),
    uploadExpiry: duration('the upload expiry')
      .default(24 * 3_600_000)
      .describe('unfinished uploads expire this long after creation (0 = never)'),
    cleanupInterval: duration('the cleanup interval')
      .default(3_600_000)
      .describe('how often expired unfinished uploads are deleted (0 = never)'),
    corsOrigins: list.default(['*']).describe('allowed CORS origins, comma-separated ("*" = any)'),
    corsCredentials: bool.default(false).describe('send Access-Control-Allow-Credentials'),
    corsAllowedHeaders: list.default([]).describe('extra request headers browsers may send'),
    corsExposedHeaders: list.default([]).describe('extra response headers browsers may read'),
    trustProxy: bool
      .default(false)
      .describe('build Location URLs from X-Forwarded-Host/-Proto and Forwarded (behind a proxy)'),
    headersTimeout: duration('the headers timeout').default(15_000).describe('time allowed to send request headers'),
    idleTimeout: duration('the idle timeout')
      .default(60_000)
      .describe('a connection that sends nothing for this long is closed (stops slow-loris bodies)'),
    requestTimeout: duration('the request timeout')
      .default(0)
      .describe('hard limit on one whole request (0 = none: big PATCHes may take long)'),
    keepAliveTimeout: duration('the keep-alive timeout').default(5_000).describe('idle keep-alive connections close after this'),
    shutdownTimeout: duration('the shutdown timeout')
      .default(10_000)
      .describe('on SIGTERM, in-flight requests get this long to finish before their connections are cut'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
  })
  .strict()

export type ConfigInput = z.input<typeof configSchema>
export type Config = Readonly<z.output<typeof configSchema>>
export const configKeys = Object.keys(configSchema.shape) as (keyof Config)[]
