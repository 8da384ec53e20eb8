import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client'
import type { ChecksumAlgorithm } from './types.js'

type Digest = (body: unknown, algorithm: ChecksumAlgorithm) => Promise<string | null>

/**
 * An HttpStack that adds `Upload-Checksum: <algorithm> <base64 digest>` to every request carrying
 * upload bytes (PATCH, and POST with creation-with-upload). Working at the transport boundary keeps
 * tus-js-client unmodified: whatever chunk it decides to send is the chunk that gets hashed.
 */
export class ChecksumHttpStack implements HttpStack {
  constructor(
    private readonly inner: HttpStack,
    private readonly algorithm: ChecksumAlgorithm,
    private readonly digest: Digest,
  ) {}

  createRequest(method: string, url: string): HttpRequest {
    return new ChecksumRequest(this.inner.createRequest(method, url), this.algorithm, this.digest)
  }

  getName(): string {
    return `Checksum(${this.inner.getName()})`
  }
}

class ChecksumRequest implements HttpRequest {
  constructor(
    private readonly inner: HttpRequest,
    private readonly algorithm: ChecksumAlgorithm,
    private readonly digest: Digest,
  ) {}

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
    const method = this.inner.getMethod()
    if (body != null && (method === 'PATCH' || method === 'POST')) {
      const value = await this.digest(body, this.algorithm)
      if (value !== null) this.inner.setHeader('Upload-Checksum', `${this.algorithm} ${value}`)
    }
    return this.inner.send(body)
  }
  abort(): Promise<void> {
    return this.inner.abort()
  }
  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject()
  }
}
