/**
 * Each defect breaks one rule of tus 1.0.0 in the reference server, so a test can show that the
 * suite notices. The reference server with no defect must pass every check.
 */
export const DEFECTS = {
  /** PATCH with a wrong Upload-Offset is appended instead of answered 409. */
  ignoresOffsetMismatch: 'appends PATCHes whose Upload-Offset does not match',
  /** A PATCH cut short is counted by its Content-Length, not by the bytes that arrived. */
  countsBytesNeverStored: 'after a disconnect, counts the declared Content-Length as received',
  /** The last byte of every PATCH is counted but never written. */
  losesLastByte: 'drops the last byte of each PATCH body but counts it',
  /** HEAD never returns Upload-Metadata. */
  dropsMetadata: 'does not return Upload-Metadata on HEAD',
  /** Metadata values are decoded to UTF-8 text and re-encoded (binary values get mangled). */
  metadataAsText: 'round-trips metadata values through UTF-8 text',
  /** Upload ids are URL-decoded and path-normalised, so x%2f..%2f<id> reaches <id>. */
  acceptsTraversalIds: 'normalises decoded ids as paths (x/../id is id)',
  /** An unsupported Tus-Resumable gets 400 without Tus-Version. */
  wrong412: 'answers an unsupported Tus-Resumable with 400 and no Tus-Version',
  /** An unsupported Tus-Resumable is refused only after the PATCH body was stored. */
  processesUnsupportedVersion: 'stores a PATCH before refusing its Tus-Resumable',
  /** HEAD responses lack Cache-Control: no-store. */
  noCacheControl: 'sends no Cache-Control on HEAD',
  /** HEAD omits Upload-Offset when it is 0. */
  omitsZeroOffset: 'omits Upload-Offset: 0 on HEAD',
  /** Responses lack Tus-Resumable. */
  noTusResumable: 'sends no Tus-Resumable header',
  /** Successful PATCHes are answered 200 instead of 204. */
  patch200: 'answers a successful PATCH with 200',
  /** X-HTTP-Method-Override is ignored. */
  ignoresMethodOverride: 'ignores X-HTTP-Method-Override',
  /** PATCH without application/offset+octet-stream is accepted. */
  ignoresContentType: 'accepts PATCH with any Content-Type',
  /** Upload-Checksum is never verified. */
  ignoresChecksum: 'accepts PATCHes whose checksum does not match',
  /** The Upload-Checksum trailer is never verified. */
  ignoresChecksumTrailer: 'accepts chunked PATCHes whose trailer checksum does not match',
  /** A deferred length, once set, may be changed by a later PATCH. */
  mutableLength: 'lets a later PATCH change a length already set',
  /** Final uploads are concatenated in reverse order. */
  concatReversed: 'concatenates partial uploads in reverse order',
  /** PATCH of a final upload is accepted. */
  patchableFinal: 'lets PATCH modify a final upload',
  /** No lock: concurrent PATCHes all write at their own offsets. */
  noLock: 'lets concurrent PATCHes write at once',
  /** PATCH responses lack Upload-Expires. */
  noExpiresOnPatch: 'sends no Upload-Expires on PATCH',
  /** A non-numeric Upload-Length crashes the handler (500). */
  crashesOnBadNumbers: 'throws (500) on a non-numeric Upload-Length',
  /** Writes past Upload-Length are accepted. */
  overflowsLength: 'accepts bytes past Upload-Length',
  /** Partial uploads' metadata is copied into the final upload. */
  finalInheritsMetadata: 'copies partial uploads’ metadata into the final upload',
  /** A final upload reads its partials on every request instead of keeping its own bytes. */
  finalReferencesPartials: 'loses a final upload’s bytes when a partial is deleted',
  // Authentication defects (they turn authentication on): each breaks one rule of the auth group.
  /** Any valid token may read, write and delete every upload. */
  noOwnershipCheck: 'lets any token holder use every upload',
  /** Another owner's upload is answered 403, which tells that it exists. */
  forbidsOtherOwner: 'answers another owner with 403 instead of 404 (an existence oracle)',
  /** 401 answers carry no WWW-Authenticate challenge. */
  noWwwAuthenticate: 'answers 401 without WWW-Authenticate: Bearer',
  /** A final upload may name another owner's partial uploads. */
  concatIgnoresOwner: 'lets a final upload take another owner’s partial uploads',
  /** GET serves a finished upload without any token. */
  downloadsWithoutToken: 'serves downloads without a token',
} as const

/** Defects that need authentication: a reference server with one of them has it on. */
export const AUTH_DEFECTS: readonly Defect[] = [
  'noOwnershipCheck',
  'forbidsOtherOwner',
  'noWwwAuthenticate',
  'concatIgnoresOwner',
  'downloadsWithoutToken',
]

export type Defect = keyof typeof DEFECTS
