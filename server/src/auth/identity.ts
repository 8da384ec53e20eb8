import { errors, type JWTPayload, jwtVerify } from 'jose'
import { ERR, type TuskError } from '../errors.js'
import type { ClientMetadata } from '../model/record.js'
import type { AuthConfig, VerificationKey } from './keys.js'

/** Who a verified token speaks for, and what it allows. */
export interface Identity {
  readonly owner: string
  /** May read and write every upload (the admin claim). */
  readonly admin: boolean
  /** session: the user's own token; upload/download: a short-lived token minted for one purpose. */
  readonly scope: 'session' | 'upload' | 'download'
  /** An upload or download token bound to one upload. */
  readonly uploadId: string | undefined
  /** An upload token's limit on the size of the uploads it creates. */
  readonly maxSize: number | undefined
  /** An upload token's fixed metadata, replacing what the client sends. */
  readonly metadata: ClientMetadata | undefined
}

const WWW_AUTHENTICATE = 'WWW-Authenticate'

/** 401 with `WWW-Authenticate: Bearer` and a one-line reason (RFC 6750). */
export function unauthorized(reason: string | undefined): TuskError {
  const challenge = reason
    ? `Bearer realm="tusk", error="invalid_token", error_description="${reason}"`
    : 'Bearer realm="tusk"'
  return ERR.UNAUTHORIZED(reason ?? 'send Authorization: Bearer <token>', {
    headers: { [WWW_AUTHENTICATE]: challenge },
  })
}

/** The reason a token was refused, in a few words, from jose's error. */
function refusal(error: unknown): TuskError {
  if (error instanceof errors.JWTExpired) return unauthorized('token expired')
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthorized('token not yet valid')
    if (error.claim === 'iss') return unauthorized('wrong issuer')
    if (error.claim === 'aud') return unauthorized('wrong audience')
    return unauthorized(`invalid ${error.claim} claim`)
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthorized('bad signature')
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthorized('algorithm not allowed')
  if (error instanceof errors.JWKSNoMatchingKey) return unauthorized('no key matches the token')
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return ERR.AUTH_UNAVAILABLE(undefined, { cause: error, headers: { 'Retry-After': '5' } })
  }
  if (error instanceof errors.JOSEError) return unauthorized('malformed token')
  // A JWKS endpoint that cannot be reached is not the client's fault.
  if ((error as { code?: string }).code?.startsWith('ECONN') || error instanceof TypeError) {
    return ERR.AUTH_UNAVAILABLE(undefined, { cause: error, headers: { 'Retry-After': '5' } })
  }
  return unauthorized('malformed token')
}

const CACHE_LIMIT = 1_000

/**
 * Verifies tokens with jose, pinned to the configured algorithms, issuer and audience. A verified
 * token is kept (up to CACHE_LIMIT, until it expires) so that the many requests of one upload do not
 * each pay for a signature check.
 */
export function createTokenVerifier(config: AuthConfig, key: VerificationKey) {
  const cache = new Map<string, { identity: Identity; expiresAt: number; notBefore: number }>()
  const options = {
    algorithms: [...key.algorithms],
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockTolerance: Math.round(config.jwtClockTolerance / 1_000),
  }
  const tolerance = config.jwtClockTolerance
  return async function verify(token: string): Promise<Identity> {
    const now = Date.now()
    const cached = cache.get(token)
    if (cached && now < cached.expiresAt + tolerance && now >= cached.notBefore - tolerance)
      return cached.identity
    let payload: JWTPayload
    try {
      // jwtVerify's overloads take a key or a key-getting function; both are handled by one call.
      payload = (await jwtVerify(token, key.key as Uint8Array, options)).payload
    } catch (error) {
      cache.delete(token)
      throw refusal(error)
    }
    const identity = identityOf(payload, config)
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
    cache.set(token, {
      identity,
      expiresAt: payload.exp !== undefined ? payload.exp * 1_000 : Number.POSITIVE_INFINITY,
      notBefore: payload.nbf !== undefined ? payload.nbf * 1_000 : 0,
    })
    return identity
  }
}

function identityOf(payload: JWTPayload, config: AuthConfig): Identity {
  const owner = payload[config.jwtOwnerClaim]
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 200) {
    throw unauthorized(`token has no ${config.jwtOwnerClaim} claim`)
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
  const upload = scopes.includes('upload')
  const download = scopes.includes('download')
  if (upload && download) throw unauthorized('a token is for uploading or for downloading, not both')
  const uploadId = typeof payload.upload_id === 'string' ? payload.upload_id : undefined
  const maxSize = typeof payload.max_size === 'number' && payload.max_size >= 0 ? payload.max_size : undefined
  return {
    owner,
    admin: !upload && !download && isAdmin(payload, config.jwtAdminClaim),
    scope: upload ? 'upload' : download ? 'download' : 'session',
    uploadId,
    maxSize: upload ? maxSize : undefined,
    metadata: upload ? fixedMetadata(payload.metadata) : undefined,
  }
}

/** `claim=value`: the claim equals the value, or lists it (an array, or a space-separated scope string). */
function isAdmin(payload: JWTPayload, adminClaim: string | undefined): boolean {
  if (!adminClaim) return false
  const [claim = '', value = ''] = adminClaim.split('=', 2)
  const actual = payload[claim]
  if (Array.isArray(actual)) return actual.includes(value)
  return typeof actual === 'string' && (actual === value || actual.split(' ').includes(value))
}

/** An upload token's `metadata` claim ({key: text}) as the metadata its uploads get. */
function fixedMetadata(claim: unknown): ClientMetadata | undefined {
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) return undefined
  const entries = Object.entries(claim as Record<string, unknown>).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === 'string' && /^[\x21-\x2b\x2d-\x7e]+$/.test(entry[0]),
  )
  if (entries.length === 0) return undefined
  return {
    values: Object.fromEntries(entries.map(([k, v]) => [k, v.length > 0 ? v : null])),
    raw: entries.map(([k, v]) => (v ? `${k} ${Buffer.from(v, 'utf8').toString('base64')}` : k)).join(','),
  }
}
