import { type BareItem, parseDictionary, parseItem } from 'structured-headers'
import type { HttpResponse } from '../http.js'

// The draft's fields are RFC 9651 structured fields, read here with structured-headers (never by
// hand): a value that does not parse, or is not of the field's type, counts as absent, which is
// what the draft tells every recipient to do with it.

function item(headers: Record<string, string>, name: string): BareItem | undefined {
  const value = headers[name.toLowerCase()]
  if (value === undefined) return undefined
  try {
    return parseItem(value)[0]
  } catch {
    return undefined
  }
}

/** A non-negative Integer field (Upload-Offset, Upload-Length, Upload-Draft-Interop-Version). */
export function integerField(res: { headers: Record<string, string> }, name: string): number | undefined {
  const value = item(res.headers, name)
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

/** A Boolean field (Upload-Complete). */
export function booleanField(res: { headers: Record<string, string> }, name: string): boolean | undefined {
  const value = item(res.headers, name)
  return typeof value === 'boolean' ? value : undefined
}

/**
 * Upload-Limit: a Dictionary whose known members are Integers. Undefined when absent, unparsable, or
 * when a known member is not an Integer (the draft then ignores the whole field).
 */
export function limitField(res: { headers: Record<string, string> }): Map<string, number> | undefined {
  const value = res.headers['upload-limit']
  if (value === undefined) return undefined
  const known = ['max-size', 'min-size', 'max-append-size', 'min-append-size', 'max-age', 'expires']
  try {
    const out = new Map<string, number>()
    for (const [key, member] of parseDictionary(value)) {
      const bare = member[0]
      if (!known.includes(key)) continue
      if (typeof bare !== 'number' || !Number.isInteger(bare)) return undefined
      out.set(key, bare)
    }
    return out
  } catch {
    return undefined
  }
}

/** The state fields of an answer, as the draft reads them. */
export function stateOf(res: HttpResponse) {
  return {
    offset: integerField(res, 'upload-offset'),
    complete: booleanField(res, 'upload-complete'),
    length: integerField(res, 'upload-length'),
    limit: limitField(res),
  }
}

/** The problem details (RFC 9457) of an answer, when it is application/problem+json with a JSON object. */
export function problemOf(res: HttpResponse): Record<string, unknown> | undefined {
  const type = (res.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase()
  if (type !== 'application/problem+json') return undefined
  try {
    const body = JSON.parse(res.body.toString('utf8')) as unknown
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The problem types the draft defines (its IANA registrations). */
export const PROBLEM_TYPE = {
  mismatchingOffset: 'https://iana.org/assignments/http-problem-types#mismatching-upload-offset',
  inconsistentLength: 'https://iana.org/assignments/http-problem-types#inconsistent-upload-length',
  completedUpload: 'https://iana.org/assignments/http-problem-types#completed-upload',
} as const
