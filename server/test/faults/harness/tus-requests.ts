import http from 'node:http'

// Single tus requests written by hand, for scenarios that need to time a request against another
// (a DELETE sent while a PATCH streams), which tus-js-client does not let a test do.

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** When the answer's headers arrived (Date.now()). */
  at: number
}

const TUS = { 'Tus-Resumable': '1.0.0' }

/**
 * One request without a body (or with a small one); rejects after `timeoutMs` without an answer.
 * `agent` pins it to a connection (e.g. one known to reach a given cluster worker).
 */
export function tusRequest(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
  agent?: http.Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...TUS, ...headers }, agent }, (res) => {
      const at = Date.now()
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, at }))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** Creates an upload of `length` bytes; resolves with its URL. */
export async function createUpload(endpoint: string, length: number): Promise<string> {
  const answer = await tusRequest(endpoint, 'POST', { 'Upload-Length': String(length) })
  if (answer.status !== 201) throw new Error(`POST ${endpoint}: ${answer.status} ${answer.body}`)
  return new URL(answer.headers.location as string, endpoint).href
}

export interface PacedPatch {
  /** The answer, or the network error if the connection ended without one. */
  answer: Answer | undefined
  error: Error | undefined
  /** Body bytes written to the socket before the answer (or the error) came. */
  written: number
  /** The whole body was handed to the socket. */
  wroteAll: boolean
}

/**
 * A PATCH of `body` at `offset` that streams `chunk` bytes every `everyMs`, so it is still streaming
 * when something else happens to its upload. Never rejects (a hang is reported as an error after
 * `timeoutMs`); the scenario asserts on what came back.
 */
export function pacedPatch(
  url: string,
  body: Buffer,
  options: { offset?: number; chunk?: number; everyMs?: number; timeoutMs?: number; agent?: http.Agent } = {},
): Promise<PacedPatch> {
  const { offset = 0, chunk = 64 * 1024, everyMs = 20, timeoutMs = 30_000, agent } = options
  return new Promise((resolve) => {
    const result: PacedPatch = { answer: undefined, error: undefined, written: 0, wroteAll: false }
    let settled = false
    let pump: NodeJS.Timeout | undefined
    const settle = () => {
      if (settled) return
      settled = true
      clearInterval(pump)
      resolve(result)
    }
    const req = http.request(url, {
      agent,
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(body.length),
      },
    })
    req.on('response', (res) => {
      const at = Date.now()
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (part: string) => {
        text += part
      })
      res.on('end', () => {
        result.answer = { status: res.statusCode ?? 0, headers: res.headers, body: text, at }
        settle()
      })
      res.on('error', (error) => {
        result.error ??= error
        settle()
      })
    })
    req.on('error', (error) => {
      result.error ??= error
      // An answer may already be complete before the server closed the unread rest of the body.
      if (!result.answer) settle()
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`PATCH ${url}: no answer in ${timeoutMs} ms`)))
    pump = setInterval(() => {
      if (settled || req.destroyed || result.written >= body.length) return clearInterval(pump)
      const next = body.subarray(result.written, result.written + chunk)
      result.written += next.length
      req.write(next)
      if (result.written >= body.length) {
        result.wroteAll = true
        req.end()
      }
    }, everyMs)
  })
}
