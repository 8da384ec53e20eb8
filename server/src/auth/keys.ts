import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import { ConfigError } from '../config/load.js'
import type { Config } from '../config/schema.js'

export type AuthConfig = Pick<
  Config,
  | 'jwtSecret'
  | 'jwtSecretFile'
  | 'jwtPublicKey'
  | 'jwtJwksUrl'
  | 'jwtIssuer'
  | 'jwtAudience'
  | 'jwtAlgorithms'
  | 'jwtClockTolerance'
  | 'jwtOwnerClaim'
  | 'jwtAdminClaim'
>

/** What verifies a token's signature, and the algorithms accepted for it (never "whatever the key allows"). */
export interface VerificationKey {
  readonly key: Uint8Array | KeyObject | JWTVerifyGetKey
  readonly algorithms: readonly string[]
  readonly source: 'secret' | 'public-key' | 'jwks'
}

export const authEnabled = (config: AuthConfig): boolean =>
  Boolean(config.jwtSecret ?? config.jwtSecretFile ?? config.jwtPublicKey ?? config.jwtJwksUrl)

// The one algorithm a key type signs with by default; others must be listed with --jwt-algorithms.
const DEFAULT_ALGORITHM: Record<string, string> = {
  rsa: 'RS256',
  'rsa-pss': 'PS256',
  ed25519: 'EdDSA',
  'ec:prime256v1': 'ES256',
  'ec:secp384r1': 'ES384',
  'ec:secp521r1': 'ES512',
}

/** The configured key source, loaded; undefined when authentication is off. Throws ConfigError. */
export async function loadVerificationKey(config: AuthConfig): Promise<VerificationKey | undefined> {
  const pinned = config.jwtAlgorithms.length > 0 ? config.jwtAlgorithms : undefined
  if (config.jwtSecret !== undefined || config.jwtSecretFile !== undefined) {
    const secret =
      config.jwtSecret ?? (await readKeyFile(config.jwtSecretFile as string, 'jwtSecretFile')).trim()
    if (secret.length < 32)
      throw new ConfigError('jwtSecretFile: expected a secret of at least 32 characters')
    const algorithms = pinned ?? ['HS256']
    requireFamily(algorithms, /^HS(256|384|512)$/, 'an HMAC secret')
    return { key: new TextEncoder().encode(secret), algorithms, source: 'secret' }
  }
  if (config.jwtPublicKey !== undefined) {
    const pem = config.jwtPublicKey.includes('-----BEGIN')
      ? config.jwtPublicKey
      : await readKeyFile(config.jwtPublicKey, 'jwtPublicKey')
    let key: KeyObject
    try {
      key = createPublicKey(pem)
    } catch (error) {
      throw new ConfigError(`jwtPublicKey: not a PEM public key (${(error as Error).message})`)
    }
    const type =
      key.asymmetricKeyType === 'ec'
        ? `ec:${key.asymmetricKeyDetails?.namedCurve}`
        : String(key.asymmetricKeyType)
    const fallback = DEFAULT_ALGORITHM[type]
    const algorithms = pinned ?? (fallback ? [fallback] : [])
    if (algorithms.length === 0) throw new ConfigError(`jwtPublicKey: unsupported key type ${type}`)
    requireFamily(algorithms, /^(RS|PS|ES)(256|384|512)$|^EdDSA$/, 'a public key')
    return { key, algorithms, source: 'public-key' }
  }
  if (config.jwtJwksUrl !== undefined) {
    const algorithms = pinned ?? ['RS256']
    requireFamily(algorithms, /^(RS|PS|ES)(256|384|512)$|^EdDSA$/, 'a JWKS')
    // jose caches the key set and refetches it at most once per cooldown when an unknown kid arrives.
    const key = createRemoteJWKSet(new URL(config.jwtJwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    })
    return { key, algorithms, source: 'jwks' }
  }
  return undefined
}

async function readKeyFile(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new ConfigError(
      `${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
}

/** An HMAC secret never verifies RS256 (and a public key never HS256): no algorithm confusion. */
function requireFamily(algorithms: readonly string[], family: RegExp, what: string): void {
  const wrong = algorithms.filter((alg) => !family.test(alg))
  if (wrong.length > 0)
    throw new ConfigError(`jwtAlgorithms: ${wrong.join(',')} cannot be verified with ${what}`)
}
