import * as tus from 'tus-js-client'
import { describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../test-support/bytes.js'
import { startTusk } from '../../test-support/tusk.js'
import { send, TUS } from './helpers.js'

function upload(endpoint: string, data: Buffer, options: Partial<tus.UploadOptions> = {}) {
  return new tus.Upload(data, {
    endpoint,
    chunkSize: 256 * 1024,
    retryDelays: [],
    metadata: { filename: 'data.bin', filetype: 'application/octet-stream' },
    ...options,
  })
}

describe('uploads with tus-js-client', async () => {
  const server = await startTusk()

  it('uploads a file in chunks and the stored bytes are identical', async () => {
    const data = bytes(3 * 1024 * 1024 + 17, 7)
    const url = await new Promise<string>((resolve, reject) => {
      const u = upload(server.url, data, { onSuccess: () => resolve(u.url as string), onError: reject })
      u.start()
    })
    const download = await send(url)
    expect(download.status).toBe(200)
    expect(sha256(download.body)).toBe(sha256(data))
  })

  it('resumes an interrupted upload from the offset the server reports, byte-exact', async () => {
    const data = bytes(4 * 1024 * 1024, 11)
    let firstUrl = ''
    // First attempt: abort after the server acknowledged at least 1 MiB.
    await new Promise<void>((resolve, reject) => {
      const u = upload(server.url, data, {
        onChunkComplete: (_chunk, accepted) => {
          if (accepted >= 1024 * 1024 && !firstUrl) {
            firstUrl = u.url as string
            u.abort().then(() => resolve(), reject)
          }
        },
        onError: reject,
      })
      u.start()
    })
    const head = await send(firstUrl, { method: 'HEAD', headers: TUS })
    const offset = Number(head.headers['upload-offset'])
    expect(offset).toBeGreaterThanOrEqual(1024 * 1024)
    expect(offset).toBeLessThan(data.length)

    let resumedFrom = -1
    await new Promise<void>((resolve, reject) => {
      const u = upload(server.url, data, {
        uploadUrl: firstUrl,
        onProgress: (sent) => {
          if (resumedFrom < 0) resumedFrom = sent
        },
        onSuccess: () => resolve(),
        onError: reject,
      })
      u.start()
    })
    // The resumed upload started at the server's offset, not at zero.
    expect(resumedFrom).toBeGreaterThanOrEqual(offset)
    const download = await send(firstUrl)
    expect(sha256(download.body)).toBe(sha256(data))
  })

  it('accepts an upload whose length is deferred and declared on the last PATCH', async () => {
    const data = bytes(700 * 1024, 3)
    const { Readable } = await import('node:stream')
    const url = await new Promise<string>((resolve, reject) => {
      const u = new tus.Upload(Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]), {
        endpoint: server.url,
        chunkSize: 256 * 1024,
        uploadLengthDeferred: true,
        retryDelays: [],
        onSuccess: () => resolve(u.url as string),
        onError: reject,
      })
      u.start()
    })
    expect(sha256((await send(url)).body)).toBe(sha256(data))
  })
})
