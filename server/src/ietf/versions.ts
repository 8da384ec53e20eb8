// The interop versions of "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload) that
// Tusk speaks, and everything that differs between them. A later version is one more entry here.
// Until the draft is an RFC a request names its version in Upload-Draft-Interop-Version; a request
// with a missing or unknown one is not treated as the draft (it gets tus v1 rules).

export interface InteropVersion {
  readonly version: number
  /** How Upload-Limit states the remaining lifetime: max-age (seconds left) or expires (interop 6). */
  readonly lifetime: 'max-age' | 'expires'
  /** An append to an upload that is already complete: replay the final answer (9), 410 (8), refuse (6). */
  readonly completedUpload: 'replay' | 'gone' | 'reject'
  /** OPTIONS also announces Accept-Patch: application/partial-upload (interop 8 required it). */
  readonly acceptPatch: boolean
  /** GET on an upload URL retrieves the offset like HEAD (interop 9), told apart from a download by the version field. */
  readonly offsetOnGet: boolean
  /** Creation may carry Upload-Defer-Length / Upload-Metadata as tus does (interop 6, as tus-js-client sends). */
  readonly tusCreationFields: boolean
}

export const INTEROP_VERSIONS: ReadonlyMap<number, InteropVersion> = new Map(
  [
    {
      version: 6,
      lifetime: 'expires',
      completedUpload: 'reject',
      acceptPatch: false,
      offsetOnGet: false,
      tusCreationFields: true,
    },
    {
      version: 8,
      lifetime: 'max-age',
      completedUpload: 'gone',
      acceptPatch: true,
      offsetOnGet: false,
      tusCreationFields: false,
    },
    {
      version: 9,
      lifetime: 'max-age',
      completedUpload: 'replay',
      acceptPatch: true,
      offsetOnGet: true,
      tusCreationFields: false,
    },
  ].map((entry) => [entry.version, entry as InteropVersion]),
)

/** The media type of an append's content. */
export const PARTIAL_UPLOAD = 'application/partial-upload'
