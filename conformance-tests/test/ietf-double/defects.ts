import type { IetfVersion } from '../../src/index.js'

/**
 * Each defect breaks one rule of the IETF draft in the reference double (ietf-double/server.ts), so
 * a test can show that the ietf group notices; `version` is the interop version the defect shows in.
 * The double with no defect passes the whole group in interop 9, 8 and 6.
 */
export const IETF_DEFECTS = {
  /** Creation and append answers carry no Upload-Offset. */
  noUploadOffset: { version: 9, text: 'sends no Upload-Offset on creation and append answers' },
  /** A mismatching offset is answered 400 (with the right problem details) instead of 409. */
  mismatch400: { version: 9, text: 'answers a mismatching offset with 400' },
  /** The 409 for a mismatching offset has an empty body. */
  noProblemDetails: { version: 9, text: 'answers a mismatching offset with a bare 409' },
  /** Appends past the declared length are stored. */
  overflowsLength: { version: 9, text: 'accepts an append beyond the declared length' },
  /** Upload-Length that disagrees with the ?1 content or an earlier request is not checked. */
  ignoresInconsistentLength: { version: 9, text: 'never checks lengths against each other' },
  /** Interop 8 replays the final answer for an append to a completed upload (9's rule) instead of 410. */
  replaysIn8: { version: 8, text: 'answers an append to a completed upload in interop 8 as 9 does' },
  /** Interop 6 stores an append to a completed upload. */
  appendsToCompleted: { version: 6, text: 'appends to a completed upload in interop 6' },
  /** Upload-Limit names the lifetime `expires` in every version. */
  expiresIn9: { version: 9, text: 'states the lifetime as expires in interop 9' },
  /** Integer fields parsed with parseInt: `12abc` is 12. */
  looseFields: { version: 9, text: 'reads Upload-Length and Upload-Offset with parseInt' },
  /** Any interop version it does not know is answered as 9. */
  unknownAsNewest: { version: 9, text: 'answers an unknown interop version as interop 9' },
  /** The 104 names another URL than the final answer's Location. */
  wrong104Location: { version: 9, text: 'sends a 104 whose Location is not the upload' },
  /** HEAD answers carry no Cache-Control. */
  noCacheControl: { version: 9, text: 'sends no Cache-Control: no-store on HEAD' },
  /** GET with interop 9 downloads instead of retrieving the offset. */
  getDownloadsIn9: { version: 9, text: 'serves GET with interop 9 as a download' },
  /** A ?1 creation cut mid-content is marked complete. */
  completesInterrupted: { version: 9, text: 'marks a cut ?1 creation complete' },
  /** DELETE answers 204 and keeps the upload. */
  deleteKeeps: { version: 6, text: 'answers DELETE 204 but keeps the upload' },
  /** A wrong Content-Digest is refused with 400, but the content is appended anyway. */
  digestKeepsContent: { version: 9, text: 'appends content whose Content-Digest it refused' },
  /** Content-Digest compared with the hex form of the digest: every digest, right or wrong, is refused. */
  digestHexCompare: { version: 8, text: 'refuses a matching Content-Digest (compares against hex)' },
  /** A wrong Repr-Digest gets a 400 at completion, but the upload stays complete and is served. */
  reprMismatchKept: { version: 9, text: 'keeps an upload complete whose Repr-Digest did not match' },
  /** Repr-Digest is checked on a ?1 creation only, never when an append completes the upload. */
  reprOnlyInOneRequest: {
    version: 6,
    text: 'checks Repr-Digest only when one request carries the whole upload',
  },
  /** A creation above the advertised max-size is accepted. */
  ignoresMaxSize: { version: 9, text: 'creates uploads above its advertised max-size' },
  /** The 413 for a creation above max-size carries no Upload-Limit. */
  bare413: { version: 8, text: 'answers 413 without Upload-Limit' },
  /** Appends are checked against the offset before their content is read, not after: racing ones all land. */
  racyAppends: { version: 9, text: 'lets racing appends at one offset all append' },
} as const satisfies Record<string, { version: IetfVersion; text: string }>

export type IetfDefect = keyof typeof IETF_DEFECTS
