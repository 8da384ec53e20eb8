import http from 'node:http'
import https from 'node:https'
import type { Exchange } from './types.js'

export type HeaderValue = string | string[]
export type RequestHeaders = Record<string, HeaderValue | undefined>

export interface HttpRequest {
  method: string
  url: string
  headers?: RequestHeaders
  /** Whole body, sent with Content-Length unless the headers say chunked. */
  body?: Uint8Array
  /** Trailers for a chunked body (Transfer-Encoding: chunked is set automatically). */
  trailers?: Record<string, string>
  /**
   * Send only the first `abortAfter` bytes of `body` (Content-Length still announces all of it),
   * then cut the connection: a client that disappears mid-upload.
   */
  abortAfter?: number
  /** Send the headers, then wait this long before each half of the body (makes requests overlap). */
  pauseMidBodyMs?: number
  timeoutMs?: number
  /** Send `Expect: 100-continue` and hold the body until the server says continue (or 1 s passes). */
  expectContinue?: boolean
}

/** No HTTP answer: the connection failed, was closed or timed out. `code` is Node's (EPIPE, …). */
export class NetworkError extends Error {
  override name = 'NetworkError'
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/** An interim (1xx) answer before the final one, e.g. 104 Upload Resumption Supported. */
export interface InformationalResponse {
  status: number
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>
}

export interface HttpResponse {
  status: number
  statusText: string
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>
  body: Buffer
  /** Interim answers (100 Continue aside, which node:http consumes), in the order they came. */
  informational: InformationalResponse[]
  exchange: Exchange
}

/** Raw header pairs as a record with lower-cased names, repeated headers joined with ", ". */
function headerRecord(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase()
    const value = raw[i + 1] ?? ''
    out[name] = name in out ? `${out[name]}, ${value}` : value
  }
  return out
}

const CRLF_SAFE = (value: string) => value.replace(/[\r\n]/g, ' ')

function describeBody(body: Uint8Array | undefined, sent: number | undefined): string {
  if (!body || body.length === 0) return ''
  if (sent !== undefined) return ` [${sent} of ${body.length} body bytes, then disconnected]`
  return ` [${body.length} body bytes]`
}

/** Reports end up in CI logs: a credential shows only its last characters (enough to tell two apart). */
function redact(name: string, value: string): string {
  if (name.toLowerCase() !== 'authorization') return value
  const [scheme = '', credential = ''] = value.split(' ', 2)
  return credential.length > 12
    ? `${scheme} …${credential.slice(-6)}`
    : `${scheme} (${credential.length} characters)`
}

function describeRequest(req: HttpRequest): string {
  const headers = Object.entries(req.headers ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' | ') : CRLF_SAFE(redact(k, String(v)))}`)
  const trailers = req.trailers
    ? ` trailers{${Object.entries(req.trailers).map(([k, v]) => `${k}: ${v}`)}}`
    : ''
  const target = new URL(req.url)
  return `${req.method} ${target.pathname}${target.search} {${headers.join(', ')}}${describeBody(req.body, req.abortAfter)}${trailers}`
}

export function describeResponse(
  status: number,
  statusText: string,
  headers: Record<string, string>,
  body: Buffer,
) {
  const interesting = Object.entries(headers)
    // CORS headers are noise in a protocol report; framing headers say nothing about tus.
    .filter(
      ([k]) =>
        !k.startsWith('access-control-') &&
        !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k),
    )
    .map(([k, v]) => `${k}: ${v}`)
  const text = body.length === 0 ? '' : ` body: ${JSON.stringify(body.subarray(0, 120).toString('latin1'))}`
  return `${status} ${statusText} {${interesting.join(', ')}}${text}`
}

/**
 * One HTTP/1.1 request over a fresh connection (no keep-alive, so an aborted request cannot poison
 * the next one). Never throws for an HTTP status; throws for network errors and timeouts, except
 * when `abortAfter` is set, where the cut is the point and the result is a synthetic status 0.
 */
export function request(req: HttpRequest): Promise<HttpResponse> {
  const target = new URL(req.url)
  const headers: Record<string, HeaderValue> = {}
  for (const [k, v] of Object.entries(req.headers ?? {})) if (v !== undefined) headers[k] = v
  const body = req.body
  const chunked = req.trailers !== undefined
  if (req.expectContinue) headers.Expect = '100-continue'
  if (chunked) headers['Transfer-Encoding'] = 'chunked'
  else if (body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(body.length)
  }
  const description = describeRequest(req)

  return new Promise((resolve, reject) => {
    const secure = target.protocol === 'https:'
    const outgoing = (secure ? https : http).request({
      method: req.method,
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      headers,
      agent: false,
      setHost: true,
    })
    // node:http hands interim answers (other than 100 and 101) to 'information', before 'response'.
    const informational: InformationalResponse[] = []
    outgoing.on('information', (info) => {
      informational.push({ status: info.statusCode, headers: headerRecord(info.rawHeaders) })
    })
    const timeout = setTimeout(() => {
      outgoing.destroy(new Error(`no answer within ${req.timeoutMs ?? 10_000} ms`))
    }, req.timeoutMs ?? 10_000)
    const done = () => clearTimeout(timeout)

    if (req.abortAfter !== undefined) {
      outgoing.on('error', () => {})
      outgoing.on('response', (res) => res.resume())
      outgoing.write(body?.subarray(0, req.abortAfter) ?? Buffer.alloc(0), () => {
        // Give the bytes time to reach the server before the connection goes.
        setTimeout(() => {
          outgoing.destroy()
          done()
          resolve({
            status: 0,
            statusText: 'disconnected by the client',
            headers: {},
            body: Buffer.alloc(0),
            informational,
            exchange: { request: description, response: '(client disconnected on purpose)' },
          })
        }, 150)
      })
      return
    }

    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      done()
      reject(new NetworkError(`${description} -> network error: ${error.message}`, error.code))
    })
    outgoing.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (error: NodeJS.ErrnoException) => {
        done()
        reject(new NetworkError(`${description} -> response cut: ${error.message}`, error.code))
      })
      res.on('end', () => {
        done()
        const out = headerRecord(res.rawHeaders)
        const buffer = Buffer.concat(chunks)
        const status = res.statusCode ?? 0
        const statusText = res.statusMessage ?? ''
        resolve({
          status,
          statusText,
          headers: out,
          body: buffer,
          informational,
          exchange: {
            request: description,
            response: [
              ...informational.map((i) =>
                describeResponse(i.status, '(interim)', i.headers, Buffer.alloc(0)),
              ),
              describeResponse(status, statusText, out, buffer),
            ].join(' then '),
          },
        })
      })
    })

    if (body && req.pauseMidBodyMs !== undefined) {
      // Headers now, first half after a pause, the rest after another: requests sent together this
      // way are all inside the server at once, before any of their bytes could be stored.
      const half = Math.floor(body.length / 2)
      outgoing.flushHeaders()
      setTimeout(() => {
        outgoing.write(body.subarray(0, half))
        setTimeout(() => outgoing.end(body.subarray(half)), req.pauseMidBodyMs)
      }, req.pauseMidBodyMs)
      return
    }
    if (req.expectContinue) {
      let sent = false
      const sendBody = () => {
        if (sent) return
        sent = true
        outgoing.end(body)
      }
      outgoing.on('continue', sendBody)
      // RFC 9110 lets a client go ahead when no 100 comes; curl waits one second too.
      setTimeout(sendBody, 1000).unref()
      return
    }
    if (chunked && req.trailers) {
      if (body) outgoing.write(body)
      outgoing.addTrailers(req.trailers)
      outgoing.end()
      return
    }
    outgoing.end(body)
  })
}
