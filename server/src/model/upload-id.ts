import { randomFillSync } from 'node:crypto'

// Ids Tusk hands out are 32 hex characters (as @tus/utils Uid.rand makes them); other tus servers'
// ids that a store may hold are still URL-safe. Anything else (dots, slashes, NUL, percent-escapes
// that decode to them) can only be an attack on the store's paths, and is refused before any store
// sees it. This is the one definition of an upload id; ".tmp" (the file store's staging directory)
// is not one.
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/

export const isUploadId = (id: string): boolean => UPLOAD_ID_PATTERN.test(id)

// 16 random bytes per id, drawn from a pool filled by the CSPRNG 256 ids at a time (as
// crypto.randomUUID does): one randomBytes(16) call per upload cost ~15 µs of CPU on a 1 KiB upload.
const ID_BYTES = 16
const pool = Buffer.alloc(ID_BYTES * 256)
let used = pool.length

/** A new, unguessable upload id: 128 bits from the CSPRNG, as 32 hex characters. */
export const newUploadId = (): string => {
  if (used === pool.length) {
    randomFillSync(pool)
    used = 0
  }
  used += ID_BYTES
  return pool.toString('hex', used - ID_BYTES, used)
}
