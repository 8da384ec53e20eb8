import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client'
import { httpError } from './errors.js'

/**
 * Statuses that say "not with these credentials / not now", not "this upload does not exist".
 * tus-js-client treats every 4xx answer to its resuming HEAD as a lost upload: it forgets the
 * stored URL and creates a new upload. For 401 (token expired), 403 and 429 (rate limited) that
 * throws away an upload the server still holds, so these answers are turned into a rejected
 * send() here: tus-js-client then reports them as errors, the upload URL is kept, and the SDK
 * decides (refresh the token, wait for Retry-After, or fail).
 */
const REFUSALS = new Set([401, 403, 429])

/** An HttpStack whose requests reject with a TuskUploadError on 401, 403 and 429. */
export class RefusalHttpStack implements HttpStack {
  constructor(private readonly inner: HttpStack) {}

  createRequest(method: string, url: string): HttpRequest {
    return new RefusalRequest(this.inner.createRequest(method, url))
  }

  getName(): string {
    return `Refusal(${this.inner.getName()})`
  }
}

class RefusalRequest implements HttpRequest {
  constructor(private readonly inner: HttpRequest) {}

  getMethod(): string {
    return this.inner.getMethod()
  }
  getURL(): string {
    return this.inner.getURL()
  }
  setHeader(header: string, value: string): void {
    this.inner.setHeader(header, value)
  }
  getHeader(header: string): string | undefined {
    return this.inner.getHeader(header)
  }
  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.inner.setProgressHandler(handler)
  }
  async send(body: unknown): Promise<HttpResponse> {
    const res = await this.inner.send(body)
    if (REFUSALS.has(res.getStatus())) {
      const method = this.getMethod()
      const url = this.getURL()
      throw httpError(method, url, res, `${method} ${url} failed`)
    }
    return res
  }
  abort(): Promise<void> {
    return this.inner.abort()
  }
  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject()
  }
}
