import { Uid } from '@tus/utils'

// Ids Tusk hands out are 32 hex characters (@tus/utils Uid.rand); other tus servers' ids that a
// store may hold are still URL-safe. Anything else (dots, slashes, NUL, percent-escapes that decode
// to them) can only be an attack on the store's paths, and is refused before any store sees it.
// This is the one definition of an upload id; ".tmp" (the file store's staging directory) is not one.
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/

export const isUploadId = (id: string): boolean => UPLOAD_ID_PATTERN.test(id)

/** A new, unguessable upload id. */
export const newUploadId = (): string => Uid.rand()
