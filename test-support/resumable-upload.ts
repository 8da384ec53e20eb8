import http from 'node:http'
import * as tus from 'tus-js-client'
import { until } from './until.js'

async function offsetOf(url: string): Promise<number> {
  const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
  if (head.status !== 200) throw new Error(`HEAD ${url} answered ${head.status}`)
  return Number(head.headers.get('upload-offset'))
}

export interface ResumedUpload {
  /** The upload's URL, as the server gave it. */
  readonly url: string
  /** The offset the server reported (HEAD) after the first attempt was cut. */
  readonly offsetAfterCut: number
  /** Where tus-js-client's second attempt started sending from (its first progress report). */
  readonly resumedFrom: number
}

/** Creates an upload and sends the first `cutAfter` bytes of a PATCH for all of `data`, then drops the connection. */
async function cutPatch(
  endpoint: string,
  data: Buffer,
  cutAfter: number,
  metadata: Record<string, string>,
): Promise<string> {
  const encoded = Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',')
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length), 'Upload-Metadata': encoded },
  })
  if (created.status !== 201) throw new Error(`POST ${endpoint} answered ${created.status}`)
  const url = new URL(created.headers.get('location') as string, endpoint).href
  await new Promise<void>((resolve, reject) => {
    const patch = http.request(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(data.length),
      },
    })
    patch.on('response', (res) => {
      res.resume()
      reject(new Error(`the cut PATCH was answered ${res.statusCode} before it was cut`))
    })
    patch.on('error', () => {}) // the cut itself
    patch.on('close', () => resolve())
    patch.write(data.subarray(0, cutAfter), () => patch.destroy())
  })
  return url
}

/**
 * Sends `data` to `endpoint` as one PATCH that is cut mid-body once `cutAfter` bytes went out (the
 * connection dropped, as a network failure would: cut from the wire, so a fast server cannot finish
 * first); asks the server for the offset with HEAD; then tus-js-client resumes from that URL to the end.
 */
export async function uploadCutAndResumed(
  endpoint: string,
  data: Buffer,
  { cutAfter = 1024 * 1024, metadata = { filename: 'data.bin' } as Record<string, string> } = {},
): Promise<ResumedUpload> {
  const url = await cutPatch(endpoint, data, cutAfter, metadata)
  // The server stores what arrived before the cut as the request unwinds: wait until the offset
  // has settled (two reads 100 ms apart agree).
  let previous = -1
  const offsetAfterCut = await until(
    async () => {
      const offset = await offsetOf(url)
      const settled = offset > 0 && offset === previous
      previous = offset
      return settled && offset
    },
    10_000,
    `the offset of ${url} to settle`,
    { intervalMs: 100 },
  )

  let resumedFrom = -1
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      uploadUrl: url,
      metadata,
      // The cut PATCH may still hold the upload's lock for a moment: a real client retries.
      retryDelays: [100, 500, 1_000],
      onProgress: (sent) => {
        if (resumedFrom < 0) resumedFrom = sent
      },
      onSuccess: () => resolve(),
      onError: reject,
    })
    upload.start()
  })
  return { url, offsetAfterCut, resumedFrom }
}
