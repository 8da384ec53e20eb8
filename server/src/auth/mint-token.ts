import type { KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'

export interface MintTokenOptions {
  /** The HMAC secret (as configured with --jwt-secret) or a private key (KeyObject) to sign with. */
  readonly key: string | KeyObject
  /** Signing algorithm: HS256 for a secret by default; give RS256, ES256, EdDSA... for a private key. */
  readonly algorithm?: string
  /** The owner of the uploads made with the token (the owner claim, "sub" by default). */
  readonly owner: string
  readonly ownerClaim?: string
  /** How long the token is valid: seconds, or a jose time span such as "10m". Default 10 minutes. */
  readonly expiresIn?: number | string
  readonly issuer?: string
  readonly audience?: string
}

export interface UploadTokenOptions extends MintTokenOptions {
  /** Largest upload the token may create. */
  readonly maxSize?: number
  /** Metadata every upload made with the token carries, whatever the client sends. */
  readonly metadata?: Readonly<Record<string, string>>
  /** Bind the token to one existing upload (resume only). */
  readonly uploadId?: string
}

async function mint(options: MintTokenOptions, claims: Record<string, unknown>): Promise<string> {
  const algorithm = options.algorithm ?? (typeof options.key === 'string' ? 'HS256' : undefined)
  if (!algorithm) throw new Error('give the signing algorithm of the private key (e.g. RS256, ES256, EdDSA)')
  let jwt = new SignJWT({ ...claims, [options.ownerClaim ?? 'sub']: options.owner })
    .setProtectedHeader({ alg: algorithm })
    .setIssuedAt()
    .setExpirationTime(
      typeof options.expiresIn === 'number' ? `${options.expiresIn}s` : (options.expiresIn ?? '10m'),
    )
  if (options.issuer) jwt = jwt.setIssuer(options.issuer)
  if (options.audience) jwt = jwt.setAudience(options.audience)
  const key = typeof options.key === 'string' ? new TextEncoder().encode(options.key) : options.key
  return jwt.sign(key)
}

/**
 * A short-lived token that lets a browser create and resume uploads as `owner` without holding the
 * user's session token: `scope: "upload"`, optional `max_size`, fixed `metadata`, `upload_id`.
 */
export function mintUploadToken(options: UploadTokenOptions): Promise<string> {
  return mint(options, {
    scope: 'upload',
    max_size: options.maxSize,
    metadata: options.metadata,
    upload_id: options.uploadId,
  })
}

/** A token for a download link (`GET <upload URL>?token=...`): `scope: "download"`, bound to one upload. */
export function mintDownloadToken(
  options: MintTokenOptions & { readonly uploadId: string },
): Promise<string> {
  return mint(options, { scope: 'download', upload_id: options.uploadId })
}
