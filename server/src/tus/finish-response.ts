import type { ServerResponse } from 'node:http'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import type { Upload } from '@tus/utils'
import { finishResponseOf } from '../upload/hooks.js'
import { TUS_VERSION } from './constants.js'
import { sendEmpty } from './respond.js'

/**
 * Answers the request that may have finished an upload: the usual bodiless answer, or the response
 * a pre-finish hook asked for in its place. The hook chooses the status, extra headers and a body;
 * the protocol's own headers (offset, location, expiry) are kept, so tus clients still work.
 * Headers a hook got wrong (invalid names or values) are left out rather than failing the answer.
 */
export function sendFinishable(
  res: ServerResponse,
  upload: Upload,
  status: number,
  headers: Record<string, string | undefined>,
): void {
  const override = finishResponseOf(upload)
  if (!override) {
    sendEmpty(res, status, headers)
    return
  }
  res.statusCode =
    override.status !== undefined &&
    Number.isInteger(override.status) &&
    override.status >= 200 &&
    override.status <= 599
      ? override.status
      : status
  for (const [name, value] of Object.entries(override.headers ?? {})) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
      if (name.toLowerCase() !== 'content-length') res.setHeader(name, value)
    } catch {
      // skipped: see above
    }
  }
  res.setHeader('Tus-Resumable', TUS_VERSION)
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value)
  // 204 and 304 carry no body whatever the hook sent.
  const body = res.statusCode === 204 || res.statusCode === 304 ? '' : (override.body ?? '')
  if (body.length > 0 && !res.hasHeader('content-type'))
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  if (res.statusCode !== 204 && res.statusCode !== 304)
    res.setHeader('Content-Length', String(Buffer.byteLength(body)))
  res.end(body)
}
