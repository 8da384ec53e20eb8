// Tusk's hooks: tusd's model (the hook names, what each may answer), so receivers written for tusd
// keep working, with every non-blocking event delivered at least once (outbox/).

export const HOOK_TYPES = [
  'pre-create',
  'post-create',
  'post-receive',
  'pre-finish',
  'post-finish',
  'pre-terminate',
  'post-terminate',
  'pre-access',
] as const
export type HookType = (typeof HOOK_TYPES)[number]

/** Hooks whose answer the request waits for; the others are delivered through the outbox. */
export type BlockingHookType = 'pre-create' | 'pre-finish' | 'pre-terminate' | 'pre-access'
export type EventHookType = Exclude<HookType, BlockingHookType>
export const isBlocking = (type: HookType): type is BlockingHookType => type.startsWith('pre-')

export const DEFAULT_HOOK_EVENTS: readonly HookType[] = [
  'pre-create',
  'post-create',
  'post-finish',
  'post-terminate',
]

/** Where an upload's bytes are stored (tusd's Storage). */
export interface HookStorage {
  readonly type: 'filestore' | 's3store' | 'azurestore'
  readonly path?: string
  readonly bucket?: string
  /** The Azure Blob Storage container (with azurestore; `key` is the blob's name). */
  readonly container?: string
  readonly key?: string
}

/** The upload an event is about. In pre-create its id is '' (the hook may choose it). */
export interface HookUpload {
  readonly id: string
  readonly size: number | undefined
  readonly sizeIsDeferred: boolean
  readonly offset: number
  /** The client's metadata, decoded (an empty value is null). */
  readonly metadata: Readonly<Record<string, string | null>>
  /** Who created it, as authentication established (undefined without authentication). */
  readonly owner: string | undefined
  readonly isPartial: boolean
  readonly isFinal: boolean
  /** For a final upload, the ids of its partial uploads in order. */
  readonly partialUploads: readonly string[]
  readonly storage: HookStorage
}

/** The request that caused the event; Authorization and Cookie are removed unless configured. */
export interface HookRequest {
  readonly method: string
  readonly uri: string
  readonly remoteAddr: string
  readonly header: Readonly<Record<string, readonly string[]>>
}

export interface HookEvent {
  readonly type: HookType
  readonly upload: HookUpload
  readonly request: HookRequest
  /** pre-access only: read (HEAD, GET, concatenation of partials) or write (PATCH, DELETE). */
  readonly access?: { readonly mode: 'read' | 'write'; readonly uploads: readonly HookUpload[] }
}

/** What a blocking hook may answer (in-process hooks return it; HTTP hooks send its JSON). */
export interface HookResponse {
  /** pre-create, pre-terminate, pre-access: refuse the request (status 400–499, 403 by default). */
  readonly reject?: boolean | { readonly status?: number; readonly message?: string }
  /** pre-create: create the upload with another id, other metadata, a lower size limit. */
  readonly changeUpload?: {
    readonly id?: string
    readonly metadata?: Readonly<Record<string, string>>
    readonly maxSize?: number
  }
  /** pre-finish: the response to send instead of the protocol's usual one. */
  readonly response?: {
    readonly status?: number
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: string
  }
}

export type HookFunction = (
  event: HookEvent,
  // biome-ignore lint/suspicious/noConfusingVoidType: an in-process hook that returns nothing is the common case
) => HookResponse | undefined | void | Promise<HookResponse | undefined | void>

/**
 * In-process hooks for an embedding application (startServer's `hooks` option). Blocking ones are
 * awaited and may answer; the others are called after the event and not awaited (a throw is logged).
 */
export type TuskHooks = { readonly [T in HookType]?: HookFunction }

/** What hooks report to metrics (metrics/ implements it). */
export interface HookMetrics {
  invoked(type: HookType): void
  failed(type: HookType): void
}
