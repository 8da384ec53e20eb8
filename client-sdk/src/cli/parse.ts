import { parseSize as parseByteSize } from '../core/size.js'
import type { UploadProtocol } from '../core/types.js'
import { UsageError } from './usage-error.js'

/** "8MiB", "8M", "500kB", "1048576" → bytes, by the SDK's one size rule (core/size.ts); at least 1. */
export function parseSize(text: string): number {
  const bytes = parseByteSize(text)
  if (Number.isNaN(bytes))
    throw new UsageError(`"${text}" is not a size (try 8M, 8MiB, 512KiB or a byte count).`)
  if (bytes < 1) throw new UsageError(`"${text}" is not a usable size (at least 1 byte).`)
  return bytes
}

export function parsePositiveInt(name: string, text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive whole number, not "${text}".`)
  return value
}

/** A whole number of at least 0 (e.g. --retries 0: no retries). */
export function parseCount(name: string, text: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new UsageError(`${name} must be a whole number (0 or more), not "${text}".`)
  return value
}

/** "key=value" → [key, value]; the value may contain "=". */
export function parseMetadata(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const pair of pairs) {
    const index = pair.indexOf('=')
    const key = index > 0 ? pair.slice(0, index) : ''
    if (!key || /[\s,]/.test(key))
      throw new UsageError(`--metadata "${pair}" must look like key=value (key without spaces or commas).`)
    metadata[key] = pair.slice(index + 1)
  }
  return metadata
}

/** "Name: value" → [Name, value]. */
export function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const index = line.indexOf(':')
    const name = index > 0 ? line.slice(0, index).trim() : ''
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new UsageError(`--header "${line}" must look like 'Name: value'.`)
    headers[name] = line.slice(index + 1).trim()
  }
  return headers
}

export function parseEndpoint(text: string | undefined): string {
  if (!text)
    throw new UsageError(
      '--endpoint is required (or set TUSK_ENDPOINT), e.g. --endpoint http://127.0.0.1:1080/files.',
    )
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`--endpoint "${text}" is not a URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--endpoint must be an http(s) URL, not "${text}".`)
  return url.toString()
}

/** An upload URL given as an argument: http(s) or a usage error. */
export function parseUploadUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`"${text}" is not an upload URL (expected http://… or https://…).`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`"${text}" is not an upload URL (expected http://… or https://…).`)
  return url.toString()
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** --protocol: tus (tus-v1, the default) or ietf (ietf-draft-05, the IETF resumable-upload draft). */
export function parseProtocol(text: string): UploadProtocol {
  const name = text.trim().toLowerCase()
  if (name === 'tus' || name === 'tus-v1') return 'tus-v1'
  if (name === 'ietf' || name === 'ietf-draft-05') return 'ietf-draft-05'
  throw new UsageError(`--protocol must be tus or ietf (tus-v1, ietf-draft-05), not "${text}".`)
}
