import type { PendingPair } from './types.js'

// Object stores (S3, Azure) keep a marker per pending pair under one key scheme, `tusk-waiting/<partial>/<final>`.
// The "/" keeps them apart from every upload's keys (upload ids have none).

export const PENDING_PREFIX = 'tusk-waiting/'

/** The key prefix of the markers of finals waiting for `partialId`. */
export const pendingFolder = (partialId: string) => `${PENDING_PREFIX}${partialId}/`

/** The pair a marker's key names; undefined for any other key. */
export function pairOf(key: string | undefined): PendingPair | undefined {
  if (!key?.startsWith(PENDING_PREFIX)) return undefined
  const [partialId, finalId, ...rest] = key.slice(PENDING_PREFIX.length).split('/')
  return partialId && finalId && rest.length === 0 ? { partialId, finalId } : undefined
}
