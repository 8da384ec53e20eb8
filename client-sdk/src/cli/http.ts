import { bearerReason, refusalReason } from '../core/errors.js'
import { describeHtmlPage, describeNetworkFailure } from '../core/network-failure.js'
import { sendsAuthorization, tokenRefused } from './token.js'
import { CommandFailure } from './usage-error.js'

export interface UploadInfo {
  url: string
  offset: number
  length: number | null
  metadata: Record<string, string>
  expires: string | null
  concat: string | null
}

/** Decodes `Upload-Metadata` ("key base64,key2 base64"); values that are not UTF-8 stay base64. */
export function decodeMetadata(header: string | null): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ')
    if (!key) continue
    const bytes = Buffer.from(value ?? '', 'base64')
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
    metadata[key] = text.includes('\uFFFD') ? `base64:${value}` : text
  }
  return metadata
}

/** fetch() with a time limit; no answer at all becomes one sentence on what failed and why. */
async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(15_000) })
  } catch (error) {
    if (init.signal?.aborted) throw error // interrupted on purpose (Ctrl-C): the caller handles it
    throw new CommandFailure(describeNetworkFailure(init.method ?? 'GET', url, error).message)
  }
}

/** The reason in an error answer: a proxy's HTML page by its title, else the body's first line. */
async function reason(res: Response): Promise<string> {
  const body = await res.text().catch(() => '')
  const fromTusServer = res.headers.has('Tus-Resumable')
  const page = fromTusServer ? null : describeHtmlPage(body, res.headers.get('Content-Type') ?? undefined)
  if (page) return ` from a proxy or web server, not a tus server (HTML page "${page}")`
  const text = body.trim().split('\n')[0]
  return text ? ` (${text.slice(0, 200)})` : ''
}

/** A 401 as one line: the token was refused, and the server's reason (its body, else its Bearer challenge). */
export async function refusedToken(
  method: string,
  url: string,
  res: Response,
  headers: Record<string, string>,
): Promise<CommandFailure> {
  const body = (await res.text().catch(() => '')).trim().split('\n')[0]?.trim()
  const reason = body ? refusalReason(body) : bearerReason(res.headers.get('WWW-Authenticate'))
  return new CommandFailure(tokenRefused(method, url, reason?.slice(0, 200), sendsAuthorization(headers)))
}

/** HEAD an upload URL: its offset, length and metadata. */
export async function headUpload(url: string, headers: Record<string, string>): Promise<UploadInfo> {
  const res = await request(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...headers } })
  if (res.status === 401) throw await refusedToken('HEAD', url, res, headers)
  if (res.status === 404 || res.status === 410)
    throw new CommandFailure(`No upload at ${url} (the server answered ${res.status}).`)
  if (!res.ok) {
    // A HEAD answer has no body to quote; without Tus-Resumable it did not come from a tus server.
    const proxy = res.headers.has('Tus-Resumable')
      ? ''
      : ' from a proxy or web server, not a tus server; is the server running?'
    throw new CommandFailure(`HEAD ${url} was refused with ${res.status}${proxy}`)
  }
  const length = res.headers.get('Upload-Length')
  return {
    url,
    offset: Number(res.headers.get('Upload-Offset') ?? 0),
    length: length === null ? null : Number(length),
    metadata: decodeMetadata(res.headers.get('Upload-Metadata')),
    expires: res.headers.get('Upload-Expires'),
    concat: res.headers.get('Upload-Concat'),
  }
}

export { reason as responseReason, request as httpRequest }
