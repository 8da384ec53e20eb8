import { z } from 'zod'
import { STANDARD_RETRY_SCHEDULE } from '../hooks/retry-schedule.js'
import { DEFAULT_HOOK_EVENTS, HOOK_TYPES } from '../hooks/types.js'
import { parseDuration, parseSize } from './units.js'

// The one description of Tusk's configuration. Defaults live here and nowhere else; the README's
// configuration table is written from this file. Every key can be set by a CLI flag (--kebab-case),
// an environment variable (TUSK_SCREAMING_SNAKE) or a JSON config file (--config), in that precedence.

const size = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const bytes = parseSize(value)
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${what} as a byte size such as 1073741824 or "8MiB"`,
      })
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

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === '1')

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
    store: z
      .enum(['file', 's3', 'azure'])
      .default('file')
      .describe(
        'where upload bytes live: file (embedded default), s3 (any S3-compatible service) or azure (Azure Blob Storage)',
      ),
    // S3 store (store = s3). Unset credentials/region fall back to the standard AWS chain
    // (AWS_ACCESS_KEY_ID/..., AWS_PROFILE, ~/.aws/config and credentials, instance roles).
    s3Bucket: z
      .string()
      .min(1)
      .optional()
      .describe('S3 bucket holding the uploads (required with --store s3)'),
    s3Endpoint: z
      .string()
      .url()
      .optional()
      .describe('S3 endpoint URL for S3-compatible services (unset = AWS, from the region)'),
    s3Region: z
      .string()
      .min(1)
      .optional()
      .describe('S3 region (unset = AWS chain; "us-east-1" when only an endpoint is given)'),
    s3AccessKeyId: z.string().min(1).optional().describe('S3 access key id (unset = AWS credential chain)'),
    s3SecretAccessKey: z.string().min(1).optional().describe('S3 secret access key (with s3AccessKeyId)'),
    s3SessionToken: z.string().min(1).optional().describe('S3 session token for temporary credentials'),
    s3ForcePathStyle: bool
      .default(false)
      .describe('address the bucket as endpoint/bucket instead of bucket.endpoint (MinIO, Ceph)'),
    s3PartSize: size('the S3 part size')
      .refine(
        (bytes) => bytes >= 5 * 2 ** 20 && bytes <= 5 * 2 ** 30,
        'expected between 5MiB and 5GiB (S3 limits)',
      )
      .default(8 * 2 ** 20)
      .describe('preferred size of one multipart part; PATCH bodies are cut into parts of this size'),
    s3PartConcurrency: int(1, 1000)
      .default(60)
      .describe('most parts uploaded to S3 at once by this process (each waits in a temp file)'),
    s3ChecksumMode: z
      .enum(['when_required', 'when_supported'])
      .default('when_required')
      .describe(
        'S3 request checksums; when_supported (the AWS SDK default) breaks streamed parts on services without them, e.g. Ceph 16',
      ),
    s3DownloadRedirect: duration('the S3 download redirect lifetime')
      .refine((ms) => ms === 0 || (ms >= 1000 && ms <= 7 * 24 * 3_600_000), 'expected 0 (off) or 1s to 7d')
      .default(0)
      .describe(
        'with store s3: GET of a finished upload answers 307 to a presigned S3 URL valid this long (0 = Tusk streams the bytes)',
      ),
    s3Trace: bool
      .default(false)
      .describe(
        "with store s3: write every S3 request and each PATCH write's phases to stderr as s3-trace lines (where a PATCH's time goes)",
      ),
    // Azure Blob Storage store (store = azure): a connection string, or an account name and key.
    azureContainer: z
      .string()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
        'expected an Azure container name: 3-63 of a-z, 0-9 and "-"',
      )
      .optional()
      .describe(
        'Azure Blob Storage container holding the uploads, created when missing (required with --store azure)',
      ),
    azureConnectionString: z
      .string()
      .min(1)
      .optional()
      .describe('Azure Storage connection string (or --azure-account with --azure-account-key)'),
    azureAccount: z
      .string()
      .min(1)
      .optional()
      .describe('Azure Storage account name (with --azure-account-key)'),
    azureAccountKey: z
      .string()
      .min(1)
      .optional()
      .describe('Azure Storage account key (with --azure-account)'),
    azureEndpoint: z
      .string()
      .url()
      .optional()
      .describe(
        "Azure blob service URL for --azure-account, e.g. Azurite's http://127.0.0.1:10000/devstoreaccount1 (unset = https://ACCOUNT.blob.core.windows.net)",
      ),
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
    // Node's and nginx's 60 s. A burst of thousands of connections overflows the listen backlog; a
    // connection the kernel completes late may wait for its client's retransmitted first bytes (backing
    // off 1, 2, 4, 8 s...) after it is accepted: 15 s answered 344 of 3,000 slow uploads 408 (issue 16).
    headersTimeout: duration('the headers timeout')
      .default(60_000)
      .describe('time allowed to send request headers'),
    idleTimeout: duration('the idle timeout')
      .default(60_000)
      .describe('a connection that sends nothing for this long is closed (stops slow-loris bodies)'),
    requestTimeout: duration('the request timeout')
      .default(0)
      .describe('hard limit on one whole request (0 = none: big PATCHes may take long)'),
    keepAliveTimeout: duration('the keep-alive timeout')
      .default(5_000)
      .describe('idle keep-alive connections close after this'),
    shutdownTimeout: duration('the shutdown timeout')
      .default(10_000)
      .describe('on SIGTERM, in-flight requests get this long to finish before their connections are cut'),
    // Sharing: locks across processes (cluster workers) and machines (Redis). See lockers/index.ts.
    redisUrl: z
      .string()
      .regex(
        /^rediss?(\+cluster)?:\/\/\S+$/,
        'expected a redis:// or rediss:// URL (a cluster: redis+cluster://host:port,host:port)',
      )
      .optional()
      .describe(
        'Redis URL: shares upload locks between instances (required for several machines); a Redis Cluster as redis+cluster://host:port,host:port',
      ),
    workers: z
      .union([z.literal('auto'), int(1, 1024)])
      .default(1)
      .describe('worker processes sharing the port (auto = one per core)'),
    lockTimeout: duration('the lock timeout')
      .refine((ms) => ms >= 100, 'expected at least 100ms')
      .default(10_000)
      .describe('longest wait for an upload busy in another request (then 423)'),
    lockTtl: duration('the lock TTL')
      .refine((ms) => ms >= 1_000, 'expected at least 1s')
      .default(5_000)
      .describe("lease of a shared lock, renewed while held: a crashed holder's lock frees after this"),
    // Authentication (server/src/auth). Setting one key source turns it on; without one, Tusk is open.
    jwtSecret: z
      .string()
      .min(32, 'expected at least 32 characters (an HMAC key as long as its hash)')
      .optional()
      .describe('HMAC secret that signs JWTs (HS256/384/512); turns authentication on'),
    jwtSecretFile: z
      .string()
      .min(1)
      .optional()
      .describe('file holding the HMAC secret (instead of --jwt-secret)'),
    jwtPublicKey: z
      .string()
      .min(1)
      .optional()
      .describe('PEM public key (or a file holding one) that verifies JWTs (RS*, PS*, ES*, EdDSA)'),
    jwtJwksUrl: z.string().url().optional().describe('JWKS URL whose keys verify JWTs (cached)'),
    jwtIssuer: z.string().min(1).optional().describe('required "iss" of every token'),
    jwtAudience: z.string().min(1).optional().describe('required "aud" of every token'),
    jwtAlgorithms: list
      .default([])
      .describe(
        "accepted JWT algorithms (default: HS256 for a secret, the key type's for a PEM, RS256 for a JWKS)",
      ),
    jwtClockTolerance: duration('the JWT clock tolerance')
      .default(5_000)
      .describe('clock skew allowed on exp/nbf'),
    jwtOwnerClaim: z
      .string()
      .min(1)
      .default('sub')
      .describe('claim naming the owner of the uploads a token makes'),
    jwtAdminClaim: z
      .string()
      .regex(/^[^=\s]+=\S+$/, 'expected claim=value, e.g. scope=tusk:admin')
      .optional()
      .describe(
        'claim=value that makes a token an admin of every upload (the claim equals or lists the value)',
      ),
    // Rate limits and quotas (per client IP when open, per owner with authentication; 0 = off).
    rateLimitRequests: int(0, 1_000_000)
      .default(0)
      .describe('requests per second per client IP (0 = no limit)'),
    rateLimitCreations: int(0, 1_000_000)
      .default(0)
      .describe('uploads created per minute per owner, or per IP when open (0 = no limit)'),
    quotaUploads: int(0, 1_000_000)
      .default(0)
      .describe('unfinished uploads one owner may have at once (0 = no limit)'),
    quotaBytes: size('the byte quota')
      .default(0)
      .describe('bytes of unfinished uploads one owner may have at once (0 = no limit)'),
    // Hooks and webhooks (server/src/hooks) and metrics (server/src/metrics).
    hooksUrl: list
      .pipe(z.array(z.string().regex(/^https?:\/\/\S+$/, 'expected http:// or https:// URLs')))
      .default([])
      .describe('webhook endpoints that receive hook events, comma-separated (none = no webhooks)'),
    hooksEvents: list
      .pipe(z.array(z.enum(HOOK_TYPES)))
      .default([...DEFAULT_HOOK_EVENTS])
      .describe(`hook events sent to the endpoints, comma-separated (of ${HOOK_TYPES.join(', ')})`),
    hooksSecret: list
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/,
              'expected a whsec_ secret (base64 of 24-64 random bytes)',
            ),
        ),
      )
      .default([])
      .describe('Standard Webhooks signing secrets (whsec_...), comma-separated: several while rotating'),
    hooksTimeout: duration('the hooks timeout')
      .refine((ms) => ms >= 100, 'expected at least 100ms')
      .default(15_000)
      .describe('longest wait for a webhook endpoint to answer one request'),
    hooksFormat: z
      .enum(['tusd', 'standard'])
      .default('tusd')
      .describe(
        "webhook bodies: tusd (tusd's, so tusd receivers work) or standard ({type, timestamp, data})",
      ),
    // Accepts its own output (ms numbers) too: startServer re-parses a parsed configuration.
    hooksRetrySchedule: z
      .union([z.string(), z.array(z.union([z.string(), z.number()]))])
      .transform((value) => (Array.isArray(value) ? value : value.split(',').map((item) => item.trim())))
      .transform((items, ctx) =>
        items.map((item) => {
          const ms = parseDuration(item)
          if (!Number.isSafeInteger(ms) || ms < 0) {
            ctx.addIssue({ code: 'custom', message: `expected durations such as "5s,5m,2h", not "${item}"` })
          }
          return ms
        }),
      )
      .default(STANDARD_RETRY_SCHEDULE.map(parseDuration))
      .describe('delays before each retry of an undelivered event; after the last, a dead letter'),
    hooksKeepHeaders: list
      .transform((names) => names.map((name) => name.toLowerCase()))
      .default([])
      .describe('credential headers (authorization, cookie) still sent to hooks'),
    metrics: bool.default(true).describe('serve Prometheus metrics at /metrics'),
    metricsPort: int(0, 65535)
      .optional()
      .describe('serve /metrics on this port (on --host) instead of the tus port'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
  })
  .strict()
  // Rules that span options live here too, so every invalid configuration is refused at start-up
  // (exit 2) naming the option, whether it came from flags, the environment, a file or code.
  .superRefine((config, ctx) => {
    if (config.store === 's3' && !config.s3Bucket) {
      ctx.addIssue({ code: 'custom', path: ['s3Bucket'], message: 'required with --store s3' })
    }
    if (config.store === 'azure' && !config.azureContainer) {
      ctx.addIssue({ code: 'custom', path: ['azureContainer'], message: 'required with --store azure' })
    }
    if (config.store === 'azure' && !config.azureConnectionString && !config.azureAccount) {
      ctx.addIssue({
        code: 'custom',
        path: ['azureConnectionString'],
        message: 'required with --store azure (or --azure-account with --azure-account-key)',
      })
    }
    if (
      config.azureConnectionString &&
      (config.azureAccount || config.azureAccountKey || config.azureEndpoint)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['azureConnectionString'],
        message:
          'a connection string names the account, key and endpoint: give it alone, or --azure-account and --azure-account-key',
      })
    } else if (Boolean(config.azureAccount) !== Boolean(config.azureAccountKey)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.azureAccount ? 'azureAccountKey' : 'azureAccount'],
        message: 'the Azure account name and account key go together',
      })
    }
    const keySources = (['jwtSecret', 'jwtSecretFile', 'jwtPublicKey', 'jwtJwksUrl'] as const).filter(
      (key) => config[key] !== undefined,
    )
    if (keySources.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [keySources[1] as string],
        message: `give one JWT key source, not ${keySources.join(' and ')}`,
      })
    }
    if (config.hooksUrl.length > 0 && config.hooksSecret.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['hooksSecret'],
        message: 'required with --hooks-url (webhooks are signed)',
      })
    }
    if (Boolean(config.s3AccessKeyId) !== Boolean(config.s3SecretAccessKey)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.s3AccessKeyId ? 's3SecretAccessKey' : 's3AccessKeyId'],
        message: 'the S3 access key id and secret access key go together (or neither, for the AWS chain)',
      })
    }
  })

export type ConfigInput = z.input<typeof configSchema>
export type Config = Readonly<z.output<typeof configSchema>>
export const configKeys = Object.keys(configSchema.shape) as (keyof Config)[]
