import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client'

export interface FakeExchange {
  method: string
  url: string
  headers: Record<string, string>
  body: Buffer | null
}

export type FakeReply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { networkError: string }

/**
 * A scripted tus-js-client HttpStack: each request is recorded and answered by the script,
 * so SDK logic is exercised without a network and without mocking any module.
 */
export class FakeHttpStack implements HttpStack {
  readonly exchanges: FakeExchange[] = []

  constructor(private readonly script: (exchange: FakeExchange, index: number) => FakeReply) {}

  createRequest(method: string, url: string): HttpRequest {
    return new FakeRequest(method, url, this)
  }

  getName(): string {
    return 'FakeHttpStack'
  }

  /** Called by a request when sent: records it and returns the scripted reply. */
  reply(exchange: FakeExchange): FakeReply {
    this.exchanges.push(exchange)
    return this.script(exchange, this.exchanges.length - 1)
  }

  of(method: string): FakeExchange[] {
    return this.exchanges.filter((e) => e.method === method)
  }
}

async function bodyBytes(body: unknown): Promise<Buffer | null> {
  if (body == null) return null
  if (body instanceof Uint8Array) return Buffer.from(body)
  if (typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = []
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk))
    return Buffer.concat(chunks)
  }
  throw new Error(`FakeHttpStack cannot read a body of type ${typeof body}`)
}

class FakeRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {}
  private progress: (bytes: number) => void = () => {}

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly stack: FakeHttpStack,
  ) {}

  getMethod(): string {
    return this.method
  }
  getURL(): string {
    return this.url
  }
  setHeader(name: string, value: string): void {
    this.headers[name] = value
  }
  getHeader(name: string): string | undefined {
    return this.headers[name]
  }
  setProgressHandler(handler: (bytes: number) => void): void {
    this.progress = handler
  }
  async send(body: unknown): Promise<HttpResponse> {
    const bytes = await bodyBytes(body)
    if (bytes) this.progress(bytes.length)
    const reply = this.stack.reply({
      method: this.method,
      url: this.url,
      headers: { ...this.headers },
      body: bytes,
    })
    if ('networkError' in reply) throw new Error(reply.networkError)
    const headers = Object.fromEntries(
      Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    )
    return {
      getStatus: () => reply.status,
      getHeader: (name: string) => headers[name.toLowerCase()],
      getBody: () => reply.body ?? '',
      getUnderlyingObject: () => null,
    }
  }
  async abort(): Promise<void> {}
  getUnderlyingObject(): unknown {
    return null
  }
}

/**
 * A minimal in-memory tus server as a script: enough protocol (OPTIONS, POST, HEAD, PATCH,
 * concatenation) to drive the SDK; `extensions` chooses what OPTIONS announces.
 */
export function fakeTusServer(options: {
  extensions: string[]
  checksums?: string[]
  maxSize?: number
  override?: (exchange: FakeExchange, index: number) => FakeReply | undefined
}) {
  const uploads = new Map<string, { length: number | null; data: Buffer }>()
  let next = 0
  const base = 'http://tus.test/files'
  const script = (exchange: FakeExchange, index: number): FakeReply => {
    const overridden = options.override?.(exchange, index)
    if (overridden) return overridden
    const h = exchange.headers
    switch (exchange.method) {
      case 'OPTIONS':
        return {
          status: 204,
          headers: {
            'Tus-Version': '1.0.0',
            'Tus-Extension': options.extensions.join(','),
            ...(options.checksums ? { 'Tus-Checksum-Algorithm': options.checksums.join(',') } : {}),
            ...(options.maxSize ? { 'Tus-Max-Size': String(options.maxSize) } : {}),
          },
        }
      case 'POST': {
        const url = `${base}/u${next++}`
        const concat = h['Upload-Concat']
        if (concat?.startsWith('final;')) {
          const parts = concat
            .slice(6)
            .split(' ')
            .map((u) => uploads.get(u)?.data ?? Buffer.alloc(0))
          const data = Buffer.concat(parts)
          uploads.set(url, { length: data.length, data })
          return { status: 201, headers: { Location: url } }
        }
        const length = h['Upload-Length'] !== undefined ? Number(h['Upload-Length']) : null
        const data = exchange.body ?? Buffer.alloc(0)
        uploads.set(url, { length, data })
        return { status: 201, headers: { Location: url, 'Upload-Offset': String(data.length) } }
      }
      case 'HEAD': {
        const upload = uploads.get(exchange.url)
        if (!upload) return { status: 404 }
        return {
          status: 200,
          headers: {
            'Upload-Offset': String(upload.data.length),
            ...(upload.length !== null
              ? { 'Upload-Length': String(upload.length) }
              : { 'Upload-Defer-Length': '1' }),
          },
        }
      }
      case 'PATCH': {
        const upload = uploads.get(exchange.url)
        if (!upload) return { status: 404, body: 'upload not found\n' }
        if (Number(h['Upload-Offset']) !== upload.data.length)
          return { status: 409, body: 'offset mismatch\n' }
        if (h['Upload-Length'] !== undefined) upload.length = Number(h['Upload-Length'])
        upload.data = Buffer.concat([upload.data, exchange.body ?? Buffer.alloc(0)])
        return { status: 204, headers: { 'Upload-Offset': String(upload.data.length) } }
      }
      case 'DELETE':
        uploads.delete(exchange.url)
        return { status: 204 }
      default:
        return { status: 405 }
    }
  }
  return { stack: new FakeHttpStack(script), uploads, endpoint: base }
}
