import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy does to one matching request instead of (or while) forwarding it. */
export type Fault =
  /** Answers with this status itself, after reading the body; the server never sees the request. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Forwards the request, then cuts both connections once this many body bytes went through. */
  | { kind: 'reset'; afterBytes: number }
  /** Forwards the request with one body byte flipped (bit rot in transit). */
  | { kind: 'corrupt'; atByte: number }

export interface SeenRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Status the client got: from the server, from a fault, or 0 for a reset. */
  status: number
}

/**
 * An HTTP proxy in front of a real Tusk server for tests: counts the upload bytes clients send,
 * injects faults (connection resets, chosen statuses), can throttle request bodies (to interrupt an
 * upload half-way reliably) and can play an auth gateway. Forwards Host unchanged, so the server's
 * Location URLs point back at the proxy.
 */
export class FaultProxy {
  readonly requests: SeenRequest[] = []
  /** Request body bytes received from clients, all methods together. */
  bodyBytes = 0
  /** Bytes per second for request bodies; null = full speed. */
  throttle: number | null = null
  /** Bytes per second for response bodies (downloads); null = full speed. */
  responseThrottle: number | null = null
  /**
   * Adds CORS headers to answers that lack them (the server omits them on a browser's actual
   * OPTIONS request): lets a browser test reach the SDK paths behind discovery regardless.
   */
  addCors = false
  /** Answer with a status instead of forwarding when this returns one (e.g. 401 for a bad token). */
  gate: ((req: IncomingMessage) => { status: number; body: string } | null) | null = null
  private readonly faults: Array<{ method: string; fault: Fault; times: number }> = []
  private readonly server: http.Server
  private origin = ''

  private constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => this.handle(req, res))
  }

  static async start(targetEndpoint: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(targetEndpoint))
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    const { port } = proxy.server.address() as AddressInfo
    proxy.origin = `http://127.0.0.1:${port}`
    return proxy
  }

  /** The proxied tus endpoint. */
  get endpoint(): string {
    return `${this.origin}${this.target.pathname}`
  }

  /** The next `times` requests with this method get the fault. */
  inject(method: string, fault: Fault, times = 1): void {
    this.faults.push({ method, fault, times })
  }

  count(method: string): number {
    return this.requests.filter((r) => r.method === method).length
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private takeFault(method: string): Fault | null {
    const rule = this.faults.find((f) => f.method === method && f.times > 0)
    if (!rule) return null
    rule.times--
    return rule.fault
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      status: 0,
    }
    this.requests.push(seen)
    const answer = (status: number, headers: Record<string, string>, body: string) => {
      req.on('data', (chunk: Buffer) => {
        this.bodyBytes += chunk.length
      })
      req.on('end', () => {
        seen.status = status
        res.writeHead(status, { 'Tus-Resumable': '1.0.0', 'Content-Type': 'text/plain', ...headers })
        res.end(body)
      })
    }
    const gated = this.gate?.(req)
    if (gated) {
      answer(gated.status, {}, gated.body)
      return
    }
    const fault = this.takeFault(seen.method)
    if (fault?.kind === 'status') {
      answer(fault.status, fault.headers ?? {}, fault.body ?? '')
      return
    }

    const upstream = http.request({
      host: this.target.hostname,
      port: this.target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    })
    upstream.on('response', (up) => {
      seen.status = up.statusCode ?? 0
      const headers = { ...up.headers }
      if (this.addCors && req.headers.origin && !headers['access-control-allow-origin']) {
        headers['access-control-allow-origin'] = '*'
        headers['access-control-expose-headers'] =
          'Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Location, Upload-Offset, Upload-Length'
      }
      res.writeHead(up.statusCode ?? 502, headers)
      up.on('data', (chunk: Buffer) => {
        res.write(chunk)
        if (this.responseThrottle) {
          up.pause()
          setTimeout(() => up.resume(), (chunk.length / this.responseThrottle) * 1000)
        }
      })
      up.on('end', () => res.end())
    })
    upstream.on('error', () => res.destroy())
    req.on('close', () => {
      if (!req.complete) upstream.destroy()
    })

    let forwarded = 0
    req.on('data', (data: Buffer) => {
      let chunk = data
      this.bodyBytes += chunk.length
      forwarded += chunk.length
      if (fault?.kind === 'reset' && forwarded >= fault.afterBytes) {
        // Whatever passed through so far reached the server; then the connection dies.
        upstream.write(chunk.subarray(0, chunk.length - (forwarded - fault.afterBytes)))
        setTimeout(() => {
          upstream.destroy()
          req.socket.destroy()
        }, 20)
        req.pause()
        return
      }
      if (fault?.kind === 'corrupt' && forwarded > fault.atByte && forwarded - chunk.length <= fault.atByte) {
        const index = fault.atByte - (forwarded - chunk.length)
        chunk = Buffer.from(chunk)
        chunk[index] = (chunk[index] as number) ^ 0xff
      }
      const writable = upstream.write(chunk)
      const delay = this.throttle ? (chunk.length / this.throttle) * 1000 : 0
      if (!writable || delay > 0) {
        req.pause()
        let waiting = (writable ? 0 : 1) + (delay > 0 ? 1 : 0)
        const done = () => {
          if (--waiting === 0) req.resume()
        }
        if (!writable) upstream.once('drain', done)
        if (delay > 0) setTimeout(done, delay)
      }
    })
    req.on('end', () => upstream.end())
  }
}
