import type { Locker, Upload } from '@tus/utils'
import { capabilitiesOf, type StoreCapabilities, type TuskStore } from '../stores/types.js'
import { appendToUpload } from './append.js'
import { stagingDirectoryOf } from './checksum/verified-chunk.js'
import { concatenateUploads } from './concatenate.js'
import { createUpload } from './create.js'
import type { CoreDeps } from './deps.js'
import { noHooks, type UploadHooks } from './hooks.js'
import { openDownload, readUploadState } from './read.js'
import { type TendResult, tendPendingConcatenations } from './tend-pending.js'
import { terminateUpload } from './terminate.js'
import {
  type AppendInput,
  type Authorizer,
  allowEveryone,
  type ConcatenateInput,
  type CreateInput,
  type Download,
  type OperationContext,
  type UploadEvents,
} from './types.js'

/**
 * The operations every upload protocol shares, over a store and a locker. It knows no wire protocol:
 * tus v1 (server/src/tus) is an adapter that turns requests into these calls and results into
 * responses. Every operation asks the authorizer first (with its intent) and reports what happened to
 * the event sink.
 */
export interface UploadCore {
  readonly capabilities: StoreCapabilities
  /** Largest upload in bytes (0 = no limit). */
  readonly maxSize: number
  /** Unfinished uploads expire this long after creation (0 = never). */
  readonly expiryPeriod: number
  create(input: CreateInput, ctx: OperationContext): Promise<Upload>
  append(input: AppendInput, ctx: OperationContext): Promise<Upload>
  /** The upload's current state (under its lock). */
  read(id: string, ctx: OperationContext): Promise<Upload>
  download(id: string, ctx: OperationContext): Promise<Download>
  terminate(id: string, ctx: OperationContext): Promise<Upload>
  concatenate(input: ConcatenateInput, ctx: OperationContext): Promise<Upload>
  /**
   * Removes expired unfinished uploads; returns how many. The markers of pending concatenations
   * whose final or partial that took away go too (tend-pending.ts).
   */
  deleteExpired(): Promise<number>
  /**
   * Drops stale pending-concatenation markers and assembles finals whose assembly was lost or cut
   * short by a crash (run at start-up).
   */
  tendConcatenations(): Promise<TendResult>
}

export interface UploadCoreOptions {
  store: TuskStore
  locker: Locker
  maxSize: number
  /** Who may do what; everyone may do everything when absent. */
  authorizer?: Authorizer
  /** Told what happened to uploads; nobody is when absent. */
  events?: UploadEvents
  /** Asked, and waited for, before an upload is created, finished or terminated. */
  hooks?: UploadHooks
}

export function createUploadCore(options: UploadCoreOptions): UploadCore {
  const { store } = options
  const capabilities = capabilitiesOf(store)
  const authorizer = options.authorizer ?? allowEveryone
  const deps: CoreDeps = {
    store,
    locker: options.locker,
    maxSize: options.maxSize,
    capabilities,
    expiryPeriod: capabilities.expire ? (store.expirer?.expiryPeriod ?? 0) : 0,
    stagingDirectory: stagingDirectoryOf(store),
    authorizer,
    events: options.events ?? {},
    hooks: options.hooks ?? noHooks,
    open: authorizer === allowEveryone,
  }
  return {
    capabilities,
    maxSize: deps.maxSize,
    expiryPeriod: deps.expiryPeriod,
    create: (input, ctx) => createUpload(deps, input, ctx),
    append: (input, ctx) => appendToUpload(deps, input, ctx),
    read: (id, ctx) => readUploadState(deps, id, ctx),
    download: (id, ctx) => openDownload(deps, id, ctx),
    terminate: (id, ctx) => terminateUpload(deps, id, ctx),
    concatenate: (input, ctx) => concatenateUploads(deps, input, ctx),
    async deleteExpired() {
      const deleted = (await store.expirer?.deleteExpired()) ?? 0
      await tendPendingConcatenations(deps)
      return deleted
    },
    tendConcatenations: () => tendPendingConcatenations(deps),
  }
}
