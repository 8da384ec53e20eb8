/** Upload-Metadata pairs as sent on the wire: key -> base64 value ('' when the value is empty). */
export function parseMetadataHeader(value: string | undefined): Map<string, string> | undefined {
  if (value === undefined) return undefined
  const pairs = new Map<string, string>()
  for (const item of value.split(',')) {
    const [key = '', encoded = ''] = item.trim().split(' ')
    if (key) pairs.set(key, encoded)
  }
  return pairs
}

/** Compares two metadata headers pair by pair (order-insensitive); returns what differs, or undefined. */
export function metadataDifference(sent: string, received: string | undefined): string | undefined {
  const want = parseMetadataHeader(sent) ?? new Map()
  const got = parseMetadataHeader(received)
  if (!got) return 'HEAD has no Upload-Metadata header'
  for (const [key, value] of want) {
    if (!got.has(key)) return `key "${key}" is missing`
    if (got.get(key) !== value) return `key "${key}": sent "${value}", got back "${got.get(key)}"`
  }
  for (const key of got.keys()) if (!want.has(key)) return `unexpected key "${key}"`
  return undefined
}
