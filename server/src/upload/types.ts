import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import type { Upload } from '@tus/utils'
import type { ClientMetadata } from '../model/record.js'
import type { StoredObject } from '../stores/types.js'
import type { ChunkVerification } from './checksum/digest.js'
import type { RepresentationDigests } from './representation-digest.js'

// The upload core's vocabulary, shared by every wire protocol (tus v1 today; the IETF draft next).
// Two seams are typed here: the authorizer, which the core asks before every operation with the
// operation's intent, and the event sink, which the core tells what happened to an upload.

/** The request an operation runs for, as any protocol adapter describes it. */
export interface RequestInfo {
  readonly method: string
  readonly url: string
  readonly remoteAddress: string | undefined
  readonly headers: IncomingHttpHeaders
}

/** What each core operation is about to do, for the authorizer. */
export type Intent = 'create' | 'read' | 'append' | 'download' | 'terminate' | 'concatenate'

export type AccessCheck =
  | {
      readonly intent: 'create'
      readonly request: RequestInfo
      readonly size: number | undefined
      readonly metadata: ClientMetadata | undefined
    }
  | {
      readonly intent: 'read' | 'append' | 'download' | 'terminate'
      readonly request: RequestInfo
      readonly upload: Upload
    }
  | {
      readonly intent: 'concatenate'
      readonly request: RequestInfo
      readonly partials: readonly Upload[]
    }

/**
 * What an authorizer may say about an upload it allows to be created (or concatenated): who owns it
 * (recorded in the upload; later requests are checked against it), a lower size limit for it, and
 * metadata it must carry whatever the client sent.
 */
export interface CreationGrant {
  readonly owner?: string
  readonly maxSize?: number
  readonly metadata?: ClientMetadata
}

/**
 * Decides whether a request may do what it intends. Resolves to allow (for a creation, optionally
 * with a grant); throws a TuskError to refuse (401/403/429, or 404 for an upload the requester must
 * not learn exists).
 */
export interface Authorizer {
  /**
   * Who is asking, checked before the core reads anything, so that a missing or invalid credential
   * is refused (401) alike for uploads that exist and that do not. Called at the start of every
   * operation (possibly more than once per request: cache by the request object).
   */
  authenticate?(request: RequestInfo): void | Promise<void>
  authorize(check: AccessCheck): CreationGrant | undefined | Promise<CreationGrant | undefined>
}

/** The open policy: everyone may do everything (Tusk without authentication, as `npm start` runs). */
export const allowEveryone: Authorizer = { authorize: () => undefined }

/**
 * What happened to an upload, reported by the core whatever protocol caused it. Awaited before the
 * request is answered, so a sink can make an event durable first. A sink that throws fails the
 * request (the upload's bytes are already stored and stay resumable).
 */
/** A post-finish event written ahead (UploadEvents.holdFinish). Settling it twice does nothing. */
export interface HeldFinish {
  /** The upload finished: the event may be delivered. */
  release(): void
  /** The request ended without finishing the upload: the event must never be delivered. */
  drop(): void
}

export interface UploadEvents {
  created?(upload: Upload, request: RequestInfo): void | Promise<void>
  /** Bytes were appended (after every successful append; a sink throttles as it likes). */
  progress?(upload: Upload, request: RequestInfo): void | Promise<void>
  /**
   * Before a request that may complete an upload stores its last bytes: the post-finish event is
   * written ahead, held (`upload` is as it will be once complete), so a crash between the last
   * bytes and `finished` cannot lose it. The request then passes the hold to `finished`, or drops it.
   */
  holdFinish?(upload: Upload, request: RequestInfo): Promise<HeldFinish | undefined>
  /** The upload became complete: by an append, creation with all its data, or concatenation. */
  finished?(upload: Upload, request: RequestInfo, held?: HeldFinish): void | Promise<void>
  terminated?(upload: Upload, request: RequestInfo): void | Promise<void>
  /**
   * A final upload's assembly failed where it was only a side effect: a read (HEAD, GET) of it, or
   * the append that finished one of its partials. That request still answers (the state as stored,
   * the append's own result); the final is assembled again by its next read or by the tending. For
   * the log: the failure is not the requester's, but someone must see it. (`uploadId` is the
   * partial's when the store could not even list the finals waiting for it.)
   */
  assemblyFailed?(uploadId: string, error: unknown, request: RequestInfo): void
}

/** What every operation gets besides its input: the request, and a signal for a client gone. */
export interface OperationContext {
  readonly request: RequestInfo
  readonly signal: AbortSignal
  /**
   * The wire protocol asking ("tus", "ietf"). Each continues only uploads made with it (the core
   * refuses the others' with 409 ERR_OTHER_PROTOCOL); downloads of finished uploads are open to all.
   */
  readonly protocol?: string
  /** Told as soon as a new upload exists, before its data is read (the draft's 104 answer). */
  readonly onCreated?: (upload: Upload) => void
}

export interface CreateInput {
  /** The declared length; undefined defers it (needs the store's LengthDeferrer). */
  readonly size: number | undefined
  readonly metadata: ClientMetadata | undefined
  /** "partial" marks a part of a future concatenation (stored as given). */
  readonly concat?: 'partial'
  /** Data sent with the creation, and its declared length (Content-Length), if any. */
  readonly body?: { readonly stream: IncomingMessage; readonly length: number | undefined }
  readonly verification?: ChunkVerification
  /**
   * The length is whatever the body carries: set to the offset when the body has ended (a request
   * that says it is the last one but gives no length up front). A body cut short leaves it unknown.
   */
  readonly lengthFromBody?: boolean
  /** Digests of the whole upload (RFC 9530 Repr-Digest), recorded now and checked at completion. */
  readonly representationDigests?: RepresentationDigests
}

export interface AppendInput {
  readonly id: string
  /** Where the client says the bytes go; must equal the upload's offset. */
  readonly offset: number
  /** A length declared with this append, for an upload created without one. */
  readonly declareLength?: number
  readonly body: { readonly stream: IncomingMessage; readonly length: number | undefined }
  readonly verification?: ChunkVerification
  /** The length is the offset once this body has ended (see CreateInput.lengthFromBody). */
  readonly lengthFromBody?: boolean
}

export interface ConcatenateInput {
  /** The partial uploads, in order (one may appear more than once). */
  readonly partialIds: readonly string[]
  readonly metadata: ClientMetadata | undefined
  /** The concatenation as the protocol states it, stored and answered back as given. */
  readonly concat: string
}

/** A finished upload opened for reading. */
export interface Download {
  readonly upload: Upload
  readonly object: StoredObject
  open(range?: { start: number; end: number }): Promise<Readable>
  /** Where the client may fetch the bytes itself (TuskStore.downloadUrl); absent when Tusk streams them. */
  readonly redirect?: (headers: {
    contentType: string
    contentDisposition: string
  }) => Promise<string | undefined>
}
