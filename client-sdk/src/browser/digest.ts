import { crc32Bytes, crc32Update } from '../core/crc32.js'
import type { ChecksumAlgorithm } from '../core/types.js'

const WEB_CRYPTO: Partial<Record<ChecksumAlgorithm, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
}

const subtle = (): SubtleCrypto | undefined => globalThis.crypto?.subtle

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** WebCrypto has SHA-1/256/512 (in secure contexts); CRC-32 is computed in JS; MD5 is not offered. */
export function browserCanDigest(algorithm: ChecksumAlgorithm): boolean {
  if (algorithm === 'crc32') return true
  return WEB_CRYPTO[algorithm] !== undefined && subtle() !== undefined
}

/** Base64 digest of one chunk (a Blob slice or bytes); the chunk is bounded by the chunk size. */
export async function browserDigest(body: unknown, algorithm: ChecksumAlgorithm): Promise<string | null> {
  let bytes: Uint8Array
  if (body instanceof Blob) bytes = new Uint8Array(await body.arrayBuffer())
  else if (body instanceof Uint8Array) bytes = body
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body)
  else return null
  if (algorithm === 'crc32') return toBase64(crc32Bytes(crc32Update(0, bytes)))
  const name = WEB_CRYPTO[algorithm]
  const crypto = subtle()
  if (!name || !crypto) return null
  return toBase64(new Uint8Array(await crypto.digest(name, bytes as Uint8Array<ArrayBuffer>)))
}
