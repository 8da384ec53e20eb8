import type { Upload } from '@tus/utils'
import { isComplete, isPartial } from './record.js'

// Expiration: unfinished uploads expire `period` after creation. Partial uploads (concatenation)
// expire too once complete: they are pieces of a final upload, which holds its own copy of their
// bytes, not deliverables of their own; clients may reuse them until they expire.

/** Whether the upload is subject to expiry at all. */
export const canExpire = (upload: Upload): boolean => !isComplete(upload) || isPartial(upload)

/** When the upload expires (`period` ms after creation; 0 = never), or undefined if it does not. */
export function expiresAt(upload: Upload, period: number): Date | undefined {
  if (period <= 0 || !upload.creation_date || !canExpire(upload)) return undefined
  const created = Date.parse(upload.creation_date)
  return Number.isFinite(created) ? new Date(created + period) : undefined
}

export function isExpired(upload: Upload, period: number, now = Date.now()): boolean {
  const at = expiresAt(upload, period)
  return at !== undefined && now > at.getTime()
}
