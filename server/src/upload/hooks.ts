import type { Upload } from '@tus/utils'
import type { ClientMetadata } from '../model/record.js'
import type { RequestInfo } from './types.js'

// The blocking seam of the upload core: what it asks, and waits for, before it creates, finishes
// or terminates an upload. (The non-blocking side is UploadEvents; access checks are the
// Authorizer.) A hook refuses by throwing a TuskError; a hook that cannot answer throws one too
// (hooks/ turns timeouts and failures into ERR_HOOK_FAILED, 503), so nothing here can hang or 500.

/** What a pre-create hook may change about the upload about to be created. */
export interface CreationChanges {
  /** The id to create the upload under (validated by the core: URL-safe, not in use). */
  readonly id?: string
  /** Metadata that replaces what the client sent. */
  readonly metadata?: ClientMetadata
  /** A size limit for this upload; only a lower one than the server's (and the grant's) applies. */
  readonly maxSize?: number
}

/** A response a pre-finish hook puts in place of the protocol's usual answer to the last request. */
export interface FinishResponse {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

export interface UploadHooks {
  /** Asked with the upload as it would be created (its id is ''); may refuse or change it. */
  beforeCreate?(upload: Upload, request: RequestInfo): Promise<CreationChanges | undefined>
  /** Asked once the last byte is stored, before the request that stored it is answered. */
  beforeFinish?(upload: Upload, request: RequestInfo): Promise<FinishResponse | undefined>
  /** Asked before an upload is removed; may refuse (the upload stays). */
  beforeTerminate?(upload: Upload, request: RequestInfo): Promise<void>
}

export const noHooks: UploadHooks = {}

// The pre-finish answer travels with the upload object the core returns, so that the protocol
// adapter (which alone knows what its usual answer is) can apply it without a wider return type.
const finishResponses = new WeakMap<Upload, FinishResponse>()

export const noteFinishResponse = (upload: Upload, response: FinishResponse): void =>
  void finishResponses.set(upload, response)

/** The response a pre-finish hook asked for, for the request that finished this upload. */
export const finishResponseOf = (upload: Upload): FinishResponse | undefined => finishResponses.get(upload)
