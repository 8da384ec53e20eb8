import http from 'node:http'
import type { Readable } from 'node:stream'
import type { TuskServer } from '../../src/index.js'

export const TUS = { 'Tus-Resumable': '1.0.0' } as const
export const OCTETS = { 'Content-Type': 'application/offset+octet-stream' } as const

/** Creates an upload (creation extension) and returns its absolute URL. */
export async function create(server: TuskServer, headers: Record<string, string>): Promise<string> {
  const res = await fetch(server.url, { method: 'POST', headers: { ...TUS, ...headers } })
  if (res.status !== 201) throw new Error(`creation answered ${res.status}: ${await res.text()}`)
  return new URL(res.headers.get('location') as string, server.url).href
}

export async function patch(
  url: string,
  offset: number,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
) {
  return fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, ...OCTETS, 'Upload-Offset': String(offset), ...headers },
    body,
  })
}

export async function head(url: string) {
  return fetch(url, { method: 'HEAD', headers: TUS })
}

export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`download answered ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * A request through node:http, for what fetch cannot send: chunked bodies with trailers, streamed
 * bodies of any size.
 */
export function rawRequest(
  url: string,
  options: {
    method: string
    headers?: Record<string, string>
    body?: Readable | Buffer | string
    trailers?: Record<string, string>
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    const { body, trailers } = options
    const finish = () => {
      if (trailers) req.addTrailers(trailers)
      req.end()
    }
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      if (body !== undefined) req.write(body)
      finish()
    } else {
      body.on('error', reject)
      body.on('end', finish)
      body.pipe(req, { end: false })
    }
  })
}
