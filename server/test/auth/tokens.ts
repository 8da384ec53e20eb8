import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose'

// Real JWTs for the authentication tests, signed with real keys made here.

export const SECRET = 'tusk-test-secret-that-is-long-enough-for-hs256'
export const ISSUER = 'https://issuer.test'
export const AUDIENCE = 'tusk'

export const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
export const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
export const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string

const now = () => Math.floor(Date.now() / 1_000)

export interface TokenOptions {
  claims?: JWTPayload
  key?: Uint8Array | KeyObject
  alg?: string
  kid?: string
  issuer?: string | null
  audience?: string | null
  expiresIn?: number
  notBefore?: number
}

/** A token for `sub`, valid for a minute, signed HS256 with SECRET unless told otherwise. */
export function token(sub: string, options: TokenOptions = {}): Promise<string> {
  let jwt = new SignJWT({ sub, ...options.claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuedAt()
    .setExpirationTime(now() + (options.expiresIn ?? 60))
  if (options.issuer !== null) jwt = jwt.setIssuer(options.issuer ?? ISSUER)
  if (options.audience !== null) jwt = jwt.setAudience(options.audience ?? AUDIENCE)
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(now() + options.notBefore)
  return jwt.sign(options.key ?? new TextEncoder().encode(SECRET))
}

/** `alg: none`: no signature at all. */
export const unsignedToken = (sub: string) =>
  new UnsecuredJWT({ sub }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1m').encode()

/** A token whose signature belongs to another payload (tampered with). */
export async function tamperedToken(sub: string): Promise<string> {
  const [header, , signature] = (await token(sub)).split('.')
  const payload = Buffer.from(
    JSON.stringify({ sub: 'someone-else', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }),
  ).toString('base64url')
  return `${header}.${payload}.${signature}`
}

export const bearer = (value: string) => ({ Authorization: `Bearer ${value}` })
