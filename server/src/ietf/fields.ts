import type { IncomingMessage } from 'node:http'
import { parseDictionary, parseItem, serializeDictionary, serializeItem } from 'structured-headers'

// The draft's fields are RFC 9651 structured fields, parsed and written with structured-headers.
// "An invalid value means the field is ignored": every reader here answers undefined for it.

function item(req: IncomingMessage, name: string): unknown {
  const value = req.headers[name]
  if (typeof value !== 'string') return undefined
  try {
    return parseItem(value)[0]
  } catch {
    return undefined
  }
}

/** A non-negative Integer field (Upload-Offset, Upload-Length, Upload-Draft-Interop-Version). */
export function integerField(req: IncomingMessage, name: string): number | undefined {
  const value = item(req, name)
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/** A Boolean field (Upload-Complete). */
export function booleanField(req: IncomingMessage, name: string): boolean | undefined {
  const value = item(req, name)
  return typeof value === 'boolean' ? value : undefined
}

export const serializeBoolean = (value: boolean): string => serializeItem(value)
export const serializeInteger = (value: number): string => serializeItem(value)

/** Upload-Limit: a Dictionary of Integers. */
export function serializeLimits(limits: Record<string, number | undefined>): string {
  const entries = Object.entries(limits).filter((entry): entry is [string, number] => entry[1] !== undefined)
  return serializeDictionary(Object.fromEntries(entries.map(([key, value]) => [key, [value, new Map()]])))
}

/** Content-Digest / Repr-Digest: a Dictionary of Byte Sequences, by algorithm. */
export function digestField(req: IncomingMessage, name: string): Map<string, Buffer> | undefined {
  const value = req.headers[name]
  if (typeof value !== 'string') return undefined
  try {
    const out = new Map<string, Buffer>()
    for (const [key, [bytes]] of parseDictionary(value)) {
      if (bytes instanceof ArrayBuffer) out.set(key, Buffer.from(bytes))
    }
    return out
  } catch {
    return undefined
  }
}
