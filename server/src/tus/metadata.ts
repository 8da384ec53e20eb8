import type { IncomingMessage } from 'node:http'
import type { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { type ClientMetadata, publicMetadata, rawMetadata } from '../model/record.js'
import { headerText } from './constants.js'

// Upload-Metadata (tus 1.0.0, Creation): "one or more comma-separated key-value pairs. The key and
// value MUST be separated by a space. The key MUST NOT contain spaces and commas and MUST NOT be
// empty. The key SHOULD be ASCII encoded and the value MUST be Base64 encoded. All keys MUST be
// unique. The value MAY be empty", in which case the space MAY be left out.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export interface MetadataPair {
  key: string
  /** The value exactly as sent, still base64: decoding is the reader's choice (values are bytes). */
  base64: string
}

/** Parses the header; returns the pairs, or a short reason when it breaks a rule above. */
export function parseMetadata(header: string): MetadataPair[] | { error: string } {
  const pairs: MetadataPair[] = []
  const seen = new Set<string>()
  for (const item of header.split(',')) {
    const parts = item.split(' ')
    const key = parts[0] ?? ''
    if (parts.length > 2) return { error: `pair "${item.slice(0, 40)}" has more than one space` }
    if (key.length === 0) return { error: 'empty key' }
    if (/[^\x21-\x7e]/.test(key)) return { error: `key "${key.slice(0, 40)}" is not printable ASCII` }
    if (seen.has(key)) return { error: `duplicate key "${key}"` }
    const value = parts[1] ?? ''
    if (value.length % 4 !== 0 || !BASE64.test(value)) return { error: `value of "${key}" is not base64` }
    seen.add(key)
    pairs.push({ key, base64: value })
  }
  return pairs
}

/** The request's Upload-Metadata as the upload core keeps it (request-checks.ts has validated it). */
export function clientMetadata(req: IncomingMessage): ClientMetadata | undefined {
  const header = headerText(req, 'upload-metadata')
  if (header === undefined) return undefined
  const pairs = parseMetadata(header)
  if ('error' in pairs) throw ERR.INVALID_METADATA(pairs.error)
  // Decoded the way @tus does, so filenames and types are readable by stores and downloads.
  const values = Object.fromEntries(
    pairs.map(({ key, base64 }) => [key, base64 ? Buffer.from(base64, 'base64').toString('utf8') : null]),
  )
  return { values, raw: header }
}

/**
 * The Upload-Metadata header to answer on HEAD: "as specified by the Client during the creation",
 * byte for byte; uploads stored without it (made by another server) get their values re-encoded.
 */
export function metadataHeader(upload: Pick<Upload, 'metadata'>): string | undefined {
  const raw = rawMetadata(upload)
  if (raw !== undefined) return raw
  const pairs = Object.entries(publicMetadata(upload.metadata) ?? {}).map(([key, value]) =>
    value === null ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`,
  )
  return pairs.length > 0 ? pairs.join(',') : undefined
}
