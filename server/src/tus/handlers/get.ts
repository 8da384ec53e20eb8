import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import contentDisposition from 'content-disposition'
import parseRange from 'range-parser'
import { ERR } from '../../errors.js'
import { metadataText } from '../../model/record.js'
import { operationContext, type TusHandler, uploadIdOf } from '../context.js'

// Types a browser may render inline from our origin without running script in it. Everything else
// (HTML, SVG, XML, JavaScript, unknown) is served as an attachment of application/octet-stream, so
// an upload can never become a page on the upload server's origin.
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/flac',
  'application/pdf',
  'text/plain',
])

function safeContentType(declared: string | undefined): string | undefined {
  const type = declared?.split(';')[0]?.trim().toLowerCase()
  return type && INLINE_TYPES.has(type)
    ? type === 'text/plain'
      ? 'text/plain; charset=utf-8'
      : type
    : undefined
}

// HTTP dates have whole seconds, and many downloads share one: Date#toUTCString was half of this
// handler's own CPU time.
const httpDates = new Map<number, string>()
function httpDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000)
  let text = httpDates.get(second)
  if (text === undefined) {
    if (httpDates.size >= 1024) httpDates.clear()
    text = new Date(second * 1000).toUTCString()
    httpDates.set(second, text)
  }
  return text
}

const PLAIN_RANGE = /^bytes=(\d{1,15})-(\d{1,15})$/

/**
 * The one range of "bytes=<first>-<last>" inside the object, the form nearly every client sends, read
 * without range-parser (whose split/map/combine was a fifth of a ranged GET's own CPU); anything
 * else (suffix, open-ended, several ranges, past the end, malformed) is left to range-parser.
 */
function plainRange(header: string, size: number): { start: number; end: number } | undefined {
  const match = PLAIN_RANGE.exec(header)
  if (!match) return undefined
  const start = Number(match[1])
  const end = Number(match[2])
  return start <= end && end < size ? { start, end } : undefined
}

/**
 * Whether the client already has this version (304): RFC 9110 section 13.1.2, If-None-Match with a
 * list of entity tags, weak comparison and "*"; without it, section 13.1.3, If-Modified-Since at or
 * after the last modification (HTTP dates have whole seconds). A request's Cache-Control: no-cache
 * speaks to caches, not to the origin's evaluation (fetch() adds it to every conditional request),
 * so it is not looked at: the `fresh` package, made for caches, would answer 200 to those.
 */
function notModified(headers: IncomingHttpHeaders, etag: string, lastModified: Date): boolean {
  const noneMatch = headers['if-none-match']
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*') return true
    const opaque = (tag: string) => tag.replace(/^W\//, '')
    return (noneMatch.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === opaque(etag))
  }
  const since = headers['if-modified-since']
  if (since === undefined) return false
  const at = Date.parse(since)
  return Number.isFinite(at) && Math.floor(lastModified.getTime() / 1000) * 1000 <= at
}

/**
 * GET of a finished upload (not a tus method: a download): streams it with validators and single
 * byte ranges. Never loads the file, never lets a client that goes away take the process down
 * (stream errors end in send()).
 */
export const handleGet: TusHandler = async (tus, exchange) => {
  const { req, res } = exchange
  const { upload, object, open, redirect } = await tus.core.download(
    uploadIdOf(exchange),
    operationContext(exchange),
  )
  const type = safeContentType(
    metadataText(upload.metadata, 'filetype', 'contentType', 'content-type', 'type', 'mimeType'),
  )
  const filename = metadataText(upload.metadata, 'filename', 'name')
  res.setHeader('Content-Type', type ?? 'application/octet-stream')
  res.setHeader(
    'Content-Disposition',
    // An ASCII fallback makes non-ASCII names go out as RFC 6266 filename* (UTF-8), never as raw
    // Latin-1 bytes in a header.
    contentDisposition(filename, {
      type: type ? 'inline' : 'attachment',
      fallback: filename?.replace(/[^\x20-\x7e]/g, '?'),
    }),
  )
  res.setHeader('X-Content-Type-Options', 'nosniff')
  const lastModified = httpDate(object.lastModified)
  res.setHeader('ETag', object.etag)
  res.setHeader('Last-Modified', lastModified)
  res.setHeader('Accept-Ranges', 'bytes')
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate')

  if (notModified(req.headers, object.etag, object.lastModified)) {
    res.statusCode = 304
    res.end()
    return
  }

  // The store hands out a short-lived URL of its own (S3 --s3-download-redirect): the bytes need not
  // pass through Tusk. Only for GET (a presigned GET URL does not answer HEAD), only now that the
  // download is authorized; the client sends its Range there, and gets the same headers from S3.
  const location =
    req.method === 'GET' && redirect
      ? await redirect({
          contentType: String(res.getHeader('Content-Type')),
          contentDisposition: String(res.getHeader('Content-Disposition')),
        })
      : undefined
  if (location) {
    res.statusCode = 307
    res.setHeader('Location', location)
    // The URL expires: a cache must not keep handing it out.
    res.setHeader('Cache-Control', 'no-store')
    res.removeHeader('Content-Type')
    res.removeHeader('Content-Disposition')
    res.removeHeader('Accept-Ranges')
    res.setHeader('Content-Length', '0')
    res.end()
    return
  }

  let range: { start: number; end: number } | undefined
  const rangeHeader = req.headers.range
  // If-Range with a stale validator (entity tag or date) means "send it all", per RFC 9110 section 13.1.5.
  const ifRange = req.headers['if-range']
  if (rangeHeader && (ifRange === undefined || ifRange === object.etag || ifRange === lastModified)) {
    range = plainRange(rangeHeader, object.size)
    if (!range) {
      const ranges = parseRange(object.size, rangeHeader, { combine: true })
      if (ranges === -1) {
        throw ERR.RANGE_NOT_SATISFIABLE(undefined, { headers: { 'Content-Range': `bytes */${object.size}` } })
      }
      // Malformed (-2) or several ranges: serve the whole object, which RFC 9110 allows.
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1 && ranges[0]) {
        range = { start: ranges[0].start, end: ranges[0].end }
      }
    }
  }

  if (range) {
    res.statusCode = 206
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${object.size}`)
    res.setHeader('Content-Length', String(range.end - range.start + 1))
  } else {
    res.statusCode = 200
    res.setHeader('Content-Length', String(object.size))
  }
  if (req.method === 'HEAD' || object.size === 0) {
    res.end()
    return
  }
  await send(await open(range), res)
}

/**
 * Streams `body` into the response and resolves once the response is closed: finished, or cut by a
 * client that went away (then the file is closed and nothing is thrown: that is normal). A read that
 * fails mid-way cuts the response, the only way left to tell the client once headers are out.
 * Plain pipe() rather than stream/promises pipeline: in Node 20 pipeline creates and aborts an
 * AbortController per call, building a DOMException with a stack trace, on every download.
 */
function send(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      // The client left while the file was being opened: its 'close' has been and gone.
      body.destroy()
      resolve()
      return
    }
    body.once('error', () => res.destroy())
    res.once('close', () => {
      body.destroy()
      resolve()
    })
    body.pipe(res)
  })
}
