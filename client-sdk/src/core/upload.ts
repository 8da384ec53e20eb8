import {
  type HttpRequest,
  type HttpResponse,
  type HttpStack,
  type PreviousUpload,
  Upload as TusUpload,
  type UploadOptions as TusUploadOptions,
} from 'tus-js-client'
import { ChecksumHttpStack } from './checksum-stack.js'
import { ASSUMED_CAPABILITIES, discoverCapabilities } from './discovery.js'
import { TuskUploadError, toUploadError } from './errors.js'
import type { Platform, PreparedSource } from './platform.js'
import { ProgressTracker } from './progress.js'
import { RefusalHttpStack } from './refusal-stack.js'
import { type RetryPolicy, resolveRetryPolicy, retryDelay } from './retry.js'
import { CachingFileReader } from './source-cache.js'
import { terminateUpload } from './termination.js'
import { planTransfer } from './transfer-plan.js'
import type {
  Metadata,
  ServerCapabilities,
  TransferPlan,
  UploadEvents,
  UploadHandle,
  UploadOptions,
  UploadResult,
  UploadState,
} from './types.js'
import {
  MemoryUrlStorage,
  newestFirst,
  RecordingUrlStorage,
  type StoredUpload,
  type UrlStorage,
} from './url-storage.js'

type ResumePoint = Pick<StoredUpload, 'uploadUrl' | 'parallelUploadUrls'> & { urlStorageKey: string | null }

/**
 * One upload: wraps a tus-js-client Upload per attempt. Retries, pauses and resumes all start a
 * fresh tus-js-client Upload from the last known upload URL(s) — it re-reads the server's offset
 * with HEAD first, so nothing the server already has is sent again. A generation counter makes
 * callbacks of a superseded attempt harmless.
 */
export class UploadController<S, M extends Metadata> implements UploadHandle<M> {
  readonly done: Promise<UploadResult<M>>
  private resolveDone!: (result: UploadResult<M>) => void
  private currentState: UploadState = 'idle'
  private uploadUrl: string | null = null
  private readonly listeners = new Map<keyof UploadEvents, Set<(value: never) => void>>()
  private readonly policy: RetryPolicy
  private readonly tracker = new ProgressTracker()
  private readonly fileReader: CachingFileReader
  private generation = 0
  private tus: TusUpload | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private attempt = 0
  private acknowledgedAtLastFailure = 0
  private prepared: PreparedSource | null = null
  private capabilities: ServerCapabilities | null = null
  private plan: TransferPlan | null = null
  private storage: RecordingUrlStorage | null = null
  private fingerprint: string | null = null
  private resumePoint: ResumePoint | null = null
  private readonly firstHeadOffsets = new Map<string, number>()
  /** A tus server has answered (not only a proxy): decides how long failures are retried. */
  private reached = false
  private startedAt = 0
  /** The token asked for with `{ refresh: true }` after a 401, used until a request succeeds. */
  private freshToken: Promise<string> | null = null
  /** A 401 has already led to a refresh and no request has succeeded since: the next 401 is final. */
  private refreshedSinceSuccess = false

  constructor(
    private readonly platform: Platform<S>,
    private readonly source: S,
    private readonly options: UploadOptions<M>,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve
    })
    this.policy = resolveRetryPolicy(options.retry)
    this.fileReader = new CachingFileReader(platform.fileReader)
    const { signal } = options
    if (signal) {
      if (signal.aborted) queueMicrotask(() => void this.abort())
      else signal.addEventListener('abort', () => void this.abort(), { once: true })
    }
  }

  get state(): UploadState {
    return this.currentState
  }

  get url(): string | null {
    return this.uploadUrl
  }

  on<E extends keyof UploadEvents>(event: E, listener: (value: UploadEvents[E]) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
    }
    set.add(listener as (value: never) => void)
    return () => set.delete(listener as (value: never) => void)
  }

  start(): this {
    if (this.currentState === 'idle') {
      this.startedAt = Date.now()
      this.setState('running')
      void this.run()
    } else if (this.currentState === 'paused') {
      this.resume()
    }
    return this
  }

  resume(): this {
    if (this.currentState === 'idle') return this.start()
    if (this.currentState !== 'paused') return this
    this.attempt = 0
    this.startedAt = Date.now()
    this.setState('running')
    void this.run()
    return this
  }

  async pause(): Promise<void> {
    if (this.currentState !== 'running') return
    this.setState('paused')
    await this.stopCurrentAttempt()
  }

  async abort(options: { terminate?: boolean } = {}): Promise<void> {
    if (
      this.currentState === 'succeeded' ||
      this.currentState === 'failed' ||
      this.currentState === 'aborted'
    )
      return
    this.setState('aborted')
    await this.stopCurrentAttempt()
    const aborted = new TuskUploadError({ code: 'aborted', message: 'the upload was aborted' })
    try {
      if (options.terminate) await this.terminate()
    } finally {
      this.resolveDone({ ok: false, error: aborted })
    }
  }

  // --- attempts -------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const generation = ++this.generation
    try {
      if (!this.plan) await this.prepare()
      if (generation !== this.generation || this.currentState !== 'running') return
      this.launch()
    } catch (error) {
      if (generation === this.generation) this.handleError(error)
    }
  }

  private async prepare(): Promise<void> {
    const { options, platform } = this
    this.prepared ??= await platform.prepare(this.source, options.endpoint, options.size)
    const prepared = this.prepared
    this.capabilities ??=
      options.discover === false
        ? ASSUMED_CAPABILITIES
        : await discoverCapabilities(
            options.httpStack ?? platform.httpStack,
            options.endpoint,
            async (req) => {
              for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value)
              await this.authorize(req)
            },
          )
    this.fingerprint = options.fingerprint ?? prepared.fingerprint
    const persistent = options.resume !== false && this.fingerprint !== null
    const inner = persistent ? (options.urlStorage ?? platform.defaultUrlStorage()) : new MemoryUrlStorage()
    // Without a persistent identity the entry only lives in memory, still needed to carry the URLs
    // of parallel partial uploads from one attempt to the next.
    this.fingerprint ??= `session-${Math.random().toString(36).slice(2)}`
    this.storage = new RecordingUrlStorage(inner, {
      endpoint: options.endpoint,
      ...(prepared.path ? { path: prepared.path } : {}),
      ...(options.protocol && options.protocol !== 'tus-v1' ? { protocol: options.protocol } : {}),
    })
    if (persistent) {
      const previous = newestFirst(await inner.findUploadsByFingerprint(this.fingerprint))[0]
      if (previous && (previous.uploadUrl || previous.parallelUploadUrls?.length)) {
        this.resumePoint = {
          uploadUrl: previous.uploadUrl ?? null,
          parallelUploadUrls: previous.parallelUploadUrls ?? null,
          urlStorageKey: previous.urlStorageKey,
        }
      }
    }
    if (this.capabilities.discovered) this.reached = true
    const resumed = this.resumePoint
    this.plan = planTransfer({
      options,
      source: prepared,
      capabilities: this.capabilities,
      resumedParts: resumed?.parallelUploadUrls?.length
        ? resumed.parallelUploadUrls.length
        : resumed?.uploadUrl
          ? 1
          : null,
      canDigest: (algorithm) => platform.canDigest(algorithm),
    })
    this.tracker.total = prepared.size
    this.emit('plan', this.plan)
  }

  private launch(): void {
    const generation = ++this.generation
    const tus = new TusUpload(this.prepared?.input as Buffer, this.tusOptions(generation))
    if (this.resumePoint) tus.resumeFromPreviousUpload(this.resumePoint as PreviousUpload)
    this.tus = tus
    tus.start()
  }

  private tusOptions(generation: number): TusUploadOptions {
    const plan = this.plan as TransferPlan
    const prepared = this.prepared as PreparedSource
    const current = () => generation === this.generation
    let httpStack: HttpStack = this.options.httpStack ?? this.platform.httpStack
    if (plan.checksum) httpStack = new ChecksumHttpStack(httpStack, plan.checksum, this.platform.digest)
    httpStack = new RefusalHttpStack(httpStack)
    const fingerprint = this.fingerprint
    // tus-js-client 4 takes `protocol`, which its type definitions do not list yet.
    const protocol = { protocol: plan.protocol } as Partial<TusUploadOptions>
    return {
      ...protocol,
      endpoint: this.options.endpoint,
      headers: { ...this.options.headers },
      metadata: this.metadata(),
      fingerprint: async () => fingerprint as string,
      ...(prepared.isStream && prepared.size !== null ? { uploadSize: prepared.size } : {}),
      uploadLengthDeferred: plan.deferredLength,
      chunkSize: plan.chunkSize,
      parallelUploads: plan.parallelUploads,
      uploadDataDuringCreation: plan.creationWithUpload,
      retryDelays: null,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: false,
      urlStorage: this.attemptStorage(current),
      fileReader: this.fileReader,
      httpStack,
      onBeforeRequest: (req) => this.authorize(req),
      onAfterResponse: (req, res) => {
        if (current()) this.observeResponse(req, res)
      },
      onProgress: (bytesSent, bytesTotal) => {
        if (!current()) return
        if (this.tracker.total === null && bytesTotal !== null) this.tracker.total = bytesTotal
        this.tracker.setSent(bytesSent)
        this.emitProgress()
      },
      onUploadUrlAvailable: () => {
        if (current() && this.tus?.url) this.setUrl(this.tus.url)
      },
      onSuccess: ({ lastResponse }) => {
        if (current()) void this.succeed(lastResponse)
      },
      onError: (error) => {
        if (current()) this.handleError(error)
      },
    }
  }

  /**
   * The URL storage as one attempt sees it: once the attempt is superseded (paused, retried), its
   * late writes (e.g. a partial upload's POST answered just after the abort) are dropped, so they
   * cannot overwrite what the current attempt recorded.
   */
  private attemptStorage(current: () => boolean): UrlStorage {
    const storage = this.storage as RecordingUrlStorage
    return {
      findAllUploads: () => storage.findAllUploads(),
      findUploadsByFingerprint: (fingerprint) => storage.findUploadsByFingerprint(fingerprint),
      removeUpload: async (key) => {
        if (current()) await storage.removeUpload(key)
      },
      addUpload: async (fingerprint, upload) =>
        current() ? storage.addUpload(fingerprint, upload) : 'superseded',
    }
  }

  private metadata(): Metadata {
    return { ...this.prepared?.metadata, ...this.options.metadata }
  }

  /** Reads the server's offsets from answers: the acknowledged byte count and the resume offset. */
  private observeResponse(req: HttpRequest, res: HttpResponse): void {
    // A tus server answers with Tus-Resumable; one speaking the draft with its interop version.
    if (
      res.getHeader('Tus-Resumable') !== undefined ||
      res.getHeader('Upload-Draft-Interop-Version') !== undefined
    )
      this.reached = true
    const status = res.getStatus()
    if (status < 200 || status >= 300) return
    // The token was accepted: from now on the provider is asked as usual, and a later 401 (a token
    // that expired meanwhile) gets its own refresh.
    this.freshToken = null
    this.refreshedSinceSuccess = false
    const concat = req.getHeader('Upload-Concat')
    if (concat?.startsWith('final')) return
    const single = concat === undefined
    const method = req.getMethod()
    let url = req.getURL()
    if (method === 'POST') {
      const location = res.getHeader('Location')
      if (!location) return
      url = new URL(location, this.options.endpoint).toString()
    }
    const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? (method === 'POST' ? '0' : ''), 10)
    if (!Number.isSafeInteger(offset)) return
    if (single) this.setUrl(url)
    if (method === 'HEAD' && !this.firstHeadOffsets.has(url)) this.firstHeadOffsets.set(url, offset)
    this.tracker.setAcknowledged(url, offset, single)
    this.emitProgress()
  }

  private async authorize(req: HttpRequest): Promise<void> {
    const { getToken } = this.options
    if (!getToken) return
    let token: string
    try {
      token = await (this.freshToken ?? getToken({ refresh: false }))
    } catch (error) {
      this.freshToken = null
      throw new TuskUploadError({
        code: 'unauthorized',
        method: req.getMethod(),
        url: req.getURL(),
        transient: false,
        message: `the token provider failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      })
    }
    req.setHeader('Authorization', `Bearer ${token}`)
  }

  /**
   * After a 401: ask the provider once for a fresh token (`{ refresh: true }`); the requests that
   * follow carry it. False when there is no provider or a refresh already failed to help.
   */
  private refreshToken(): boolean {
    const { getToken } = this.options
    if (!getToken || this.refreshedSinceSuccess) return false
    this.refreshedSinceSuccess = true
    const fresh = Promise.resolve().then(() => getToken({ refresh: true }))
    fresh.catch(() => {}) // reported by authorize(), where the token is awaited
    this.freshToken = fresh
    return true
  }

  // --- outcomes -------------------------------------------------------------------------------

  private handleError(error: unknown): void {
    if (this.currentState !== 'running') return
    const uploadError = toUploadError(error)
    if (uploadError.fromTusServer) this.reached = true
    this.captureResumePoint()
    // A refused token is refreshed once and the request sent again at once (not a backoff retry);
    // a second 401 in a row is final (isRetryable says no to 'unauthorized').
    if (uploadError.code === 'unauthorized' && uploadError.status === 401 && this.refreshToken()) {
      const previous = this.tus
      this.generation++
      void previous?.abort(false).catch(() => {})
      void this.run()
      return
    }
    // Progress since the last failure means the network works again: start the backoff over.
    const acknowledged = this.tracker.acknowledged
    if (acknowledged > this.acknowledgedAtLastFailure) this.attempt = 0
    this.acknowledgedAtLastFailure = acknowledged
    const delayMs = retryDelay(this.policy, this.attempt, uploadError, Math.random, {
      reached: this.reached,
      elapsedMs: Date.now() - this.startedAt,
    })
    // Stop whatever is left of this attempt (sibling partial uploads keep running otherwise).
    const previous = this.tus
    this.generation++
    void previous?.abort(false).catch(() => {})
    if (delayMs === null) {
      this.setState('failed')
      this.resolveDone({ ok: false, error: uploadError })
      return
    }
    this.attempt++
    this.emit('retry', { attempt: this.attempt, delayMs, error: uploadError, reached: this.reached })
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (this.currentState === 'running') void this.run()
    }, delayMs)
  }

  private async succeed(lastResponse: HttpResponse): Promise<void> {
    const tus = this.tus
    const url = tus?.url ?? this.uploadUrl
    const plan = this.plan as TransferPlan
    let size = this.prepared?.size ?? null
    if (size === null) size = Number.parseInt(lastResponse.getHeader('Upload-Offset') ?? '0', 10)
    if (url) this.setUrl(url)
    const key = this.storage?.last?.urlStorageKey ?? this.resumePoint?.urlStorageKey
    // Finished uploads are forgotten, so the same file can be uploaded afresh and `tusk list` only
    // shows what is left to do. Awaited, so a CLI that exits right after leaves a clean store.
    if (key) await this.storage?.removeUpload(key).catch(() => {})
    this.tracker.total = size
    this.tracker.setSent(size)
    this.tracker.setAcknowledged(url ?? '', size, true)
    this.emitProgress()
    if (this.currentState !== 'running') return
    this.setState('succeeded')
    let resumedFrom = 0
    for (const offset of this.firstHeadOffsets.values()) resumedFrom += offset
    this.resolveDone({
      ok: true,
      url: url ?? '',
      size,
      metadata: this.metadata() as M,
      resumedFrom,
      plan,
    })
  }

  /** Remembers where the current attempt got to, so the next one (or a resume) continues there. */
  private captureResumePoint(): void {
    const recorded = this.storage?.last
    const single = this.plan?.parallelUploads === 1
    const uploadUrl = single
      ? (this.tus?.url ?? this.uploadUrl ?? recorded?.uploadUrl ?? this.resumePoint?.uploadUrl ?? null)
      : null
    const parallelUploadUrls = single
      ? null
      : (recorded?.parallelUploadUrls ?? this.resumePoint?.parallelUploadUrls ?? null)
    if (!uploadUrl && !parallelUploadUrls) return
    this.resumePoint = {
      uploadUrl,
      parallelUploadUrls,
      // null (not undefined) tells tus-js-client the entry is not stored yet, so it stores it.
      urlStorageKey: recorded?.urlStorageKey ?? this.resumePoint?.urlStorageKey ?? null,
    }
  }

  private async stopCurrentAttempt(): Promise<void> {
    this.generation++
    if (this.retryTimer) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    this.captureResumePoint()
    await this.tus?.abort(false).catch(() => {})
  }

  /** DELETE the upload (and its partial uploads) on the server, then forget it locally. */
  private async terminate(): Promise<void> {
    const point = this.resumePoint
    const urls = [
      ...(point?.parallelUploadUrls ?? []),
      ...(point?.uploadUrl ? [point.uploadUrl] : []),
    ].filter((url): url is string => Boolean(url))
    const stack = this.options.httpStack ?? this.platform.httpStack
    const headers = this.options.headers ?? {}
    const protocol = this.options.protocol
    for (const url of urls) {
      await terminateUpload(stack, url, headers, (req) => this.authorize(req), protocol).catch(
        (error: unknown) => {
          // An expired token: refreshed once, as for every other request.
          if ((error as TuskUploadError).status === 401 && this.refreshToken())
            return terminateUpload(stack, url, headers, (req) => this.authorize(req), protocol)
          throw error
        },
      )
    }
    if (point?.urlStorageKey) await this.storage?.removeUpload(point.urlStorageKey)
  }

  // --- events ---------------------------------------------------------------------------------

  private setUrl(url: string): void {
    if (this.uploadUrl === url) return
    this.uploadUrl = url
    this.emit('url', url)
  }

  private setState(state: UploadState): void {
    this.currentState = state
    this.emit('state', state)
  }

  private emitProgress(): void {
    const progress = this.tracker.snapshot()
    this.options.onProgress?.(progress)
    this.emit('progress', progress)
  }

  private emit<E extends keyof UploadEvents>(event: E, value: UploadEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? [])
      (listener as (value: UploadEvents[E]) => void)(value)
  }
}

export function createUpload<S, M extends Metadata>(
  platform: Platform<S>,
  source: S,
  options: UploadOptions<M>,
): UploadHandle<M> {
  return new UploadController(platform, source, options)
}
