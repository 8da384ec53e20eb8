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

/**
 * Uploads `data` to `endpoint` with tus-js-client in one PATCH and aborts that PATCH mid-body once
 * `cutAfter` bytes went out (the request is cut, as a dropped connection would); asks the server
 * for the offset with HEAD; then a second tus-js-client upload resumes from that URL to the end.
 */
export async function uploadCutAndResumed(
  endpoint: string,
  data: Buffer,
  { cutAfter = 1024 * 1024, metadata = { filename: 'data.bin' } as Record<string, string> } = {},
): Promise<ResumedUpload> {
  let cutting = false
  const url = await new Promise<string>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      metadata,
      retryDelays: [],
      onProgress: (sent) => {
        if (sent >= cutAfter && upload.url && !cutting) {
          cutting = true
          const cut = upload.url
          upload.abort().then(() => resolve(cut), reject)
        }
      },
      onSuccess: () => reject(new Error('the upload finished before it could be cut: give it more data')),
      onError: reject,
    })
    upload.start()
  })
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
