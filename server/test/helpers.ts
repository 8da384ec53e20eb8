import http from 'node:http'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** One raw HTTP request: full control over method, headers and body, nothing added but Host. */
export function send(
  url: string,
  options: {
    method?: string
    headers?: Record<string, string>
    body?: Buffer | string
    rawPath?: string
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // rawPath goes on the wire as written: WHATWG URL parsing would normalise "%2e%2e" away.
    const target = new URL(url)
    const path = options.rawPath ?? `${target.pathname}${target.search}`
    const requestOptions = {
      host: target.hostname,
      port: target.port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
    }
    const req = http.request(requestOptions, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

export const TUS = { 'Tus-Resumable': '1.0.0' }

/** Creates an upload of `length` bytes and returns its URL. */
export async function createUpload(
  endpoint: string,
  length: number,
  headers: Record<string, string> = {},
): Promise<string> {
  const reply = await send(endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': String(length), ...headers },
  })
  if (reply.status !== 201 || !reply.headers.location)
    throw new Error(`create failed: ${reply.status} ${reply.body}`)
  return new URL(reply.headers.location, endpoint).href
}

export function patch(
  url: string,
  offset: number,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return send(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      ...headers,
    },
    body,
  })
}

export const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64')
