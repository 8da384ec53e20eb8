import { createHash } from 'node:crypto'
import { type HttpRequest, Upload } from 'tus-js-client'

export interface UploadReport {
  /** The upload URL the client finished with. */
  url: string
  /** Every distinct upload URL the client used: more than one means it started over. */
  urls: string[]
  size: number
  /** PATCH body bytes the client wrote to the network (progress events, retries included). */
  bytesSent: number
  /** "METHOD status" (or "METHOD network-error") → how often it was seen. */
  statuses: Map<string, number>
  error?: Error
  ms: number
}

export interface UploadOptions {
  chunkSize?: number
  /** Retry delays, as tus-js-client takes them; the default keeps retrying ~60 s. */
  retryDelays?: number[]
  /** The upload fails (aborted, error set) if it has not finished by then. */
  timeoutMs?: number
  metadata?: Record<string, string>
  /** Called with each new upload URL (e.g. to trigger a fault once uploads exist). */
  onUrl?: (url: string) => void
  onProgress?: (bytesUploaded: number) => void
}

const DEFAULT_RETRIES = [0, 100, 250, 500, ...Array.from({ length: 60 }, () => 1_000)]

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

/**
 * Uploads `data` to a tus endpoint with tus-js-client (Node), as an application would, retrying as
 * tus-js-client does by default (its own rules: any status but 4xx, or 409/423, is retried). Never
 * rejects: failures come back in the report, so a scenario can assert on them with figures.
 */
export function tusUpload(
  endpoint: string,
  data: Buffer,
  options: UploadOptions = {},
): Promise<UploadReport> {
  const started = Date.now()
  const report: UploadReport = {
    url: '',
    urls: [],
    size: data.length,
    bytesSent: 0,
    statuses: new Map(),
    ms: 0,
  }
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let progressBase = 0
    const finish = (error?: Error) => {
      clearTimeout(timer)
      report.ms = Date.now() - started
      if (error) report.error = error
      resolve(report)
    }
    const upload = new Upload(data, {
      endpoint,
      chunkSize: options.chunkSize ?? 512 * 1024,
      retryDelays: options.retryDelays ?? DEFAULT_RETRIES,
      metadata: options.metadata ?? { filename: 'fault.bin' },
      storeFingerprintForResuming: false,
      onBeforeRequest(req: HttpRequest) {
        // Progress is reported as an absolute offset; each PATCH starts counting at its own offset,
        // so bytes sent again after a failure (or a restart from zero) add to the total.
        if (req.getMethod() === 'PATCH') progressBase = Number(req.getHeader('Upload-Offset') ?? 0)
      },
      onAfterResponse(req, res) {
        count(report.statuses, `${req.getMethod()} ${res.getStatus()}`)
      },
      onShouldRetry(error) {
        const status = error.originalResponse?.getStatus() ?? 0
        if (status === 0) count(report.statuses, `${error.originalRequest?.getMethod()} network-error`)
        return !(status >= 400 && status < 500) || status === 409 || status === 423
      },
      onUploadUrlAvailable() {
        const url = upload.url as string
        report.url = url
        if (!report.urls.includes(url)) report.urls.push(url)
        options.onUrl?.(url)
      },
      onProgress(bytes) {
        if (bytes > progressBase) {
          report.bytesSent += bytes - progressBase
          progressBase = bytes
        }
        options.onProgress?.(bytes)
      },
      onSuccess: () => finish(),
      onError: (error) => finish(error),
    })
    if (options.timeoutMs)
      timer = setTimeout(() => {
        void upload.abort()
        finish(new Error(`upload did not finish within ${options.timeoutMs} ms`))
      }, options.timeoutMs)
    upload.start()
  })
}

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/** The sha256 of what the server stored for an upload (GET of its URL). */
export async function storedSha256(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) })
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`)
  return sha256(new Uint8Array(await response.arrayBuffer()))
}

export interface BatchSummary {
  finished: number
  failed: string[]
  /** Uploads that used more than one upload URL (tus-js-client started them over). */
  startedOver: number
  /**
   * Bytes sent over the bytes of the files: 1.0 = nothing re-sent. Counted on the wire by the fault
   * proxy when there is one (request headers included, so slightly above the body bytes), else from
   * tus-js-client's progress events (which lag by up to 100 ms, so they undercount a cut request).
   */
  sentRatio: number
  statuses: Record<string, number>
  /** Uploads whose stored bytes are not the file's (sha256). */
  corrupt: string[]
}

/** Checks every upload byte-exact against its data and sums up the figures a scenario asserts on. */
export async function summarize(
  reports: UploadReport[],
  files: Buffer[],
  wire?: { bytesUp: number },
): Promise<BatchSummary> {
  const statuses: Record<string, number> = {}
  for (const report of reports)
    for (const [key, n] of report.statuses) statuses[key] = (statuses[key] ?? 0) + n
  const corrupt: string[] = []
  for (const [index, report] of reports.entries()) {
    if (report.error) continue
    if ((await storedSha256(report.url)) !== sha256(files[index] as Buffer)) corrupt.push(report.url)
  }
  const sent = wire?.bytesUp ?? reports.reduce((sum, r) => sum + r.bytesSent, 0)
  const size = reports.reduce((sum, r) => sum + r.size, 0)
  return {
    finished: reports.filter((r) => !r.error).length,
    failed: reports.filter((r) => r.error).map((r) => `${r.url || '(no url)'}: ${r.error?.message}`),
    startedOver: reports.filter((r) => r.urls.length > 1).length,
    sentRatio: Math.round((sent / size) * 1000) / 1000,
    statuses,
    corrupt,
  }
}

/** Deterministic distinct files (xorshift), so a misplaced byte always changes the hash. */
export function files(count: number, size: number, seed = 1): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const out = Buffer.allocUnsafe(size)
    let x = (seed * 7919 + i * 104729) >>> 0 || 1
    for (let j = 0; j < size; j += 4) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      out.writeUInt32LE(x >>> 0, j)
    }
    return out
  })
}
