import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { startServer, type TuskServer } from '../../src/server.js'
import { send, TUS } from '../helpers.js'
import { MiB } from './contract.js'
import { s3Service } from './s3-service.js'

// Tusk with --store s3 against the real S3 service: tus-js-client uploads in chunks below S3's 5 MiB
// minimum part, is cut off mid-upload, resumes from the server's offset, and the download (whole and
// ranged) returns the same bytes. Afterwards termination leaves the bucket empty.

const s3 = s3Service()

/** A PATCH whose connection is cut after `body` was sent, `declared` bytes short of its Content-Length. */
async function cutPatch(url: string, offset: number, body: Buffer, declared: number): Promise<void> {
  const req = http.request(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(declared),
    },
  })
  req.on('error', () => {}) // the reset we cause ourselves
  req.write(body)
  await sleep(500)
  req.destroy()
  await sleep(200)
}

function upload(endpoint: string, data: Buffer, options: Partial<tus.UploadOptions> = {}) {
  return new tus.Upload(data, {
    endpoint,
    chunkSize: 3 * MiB,
    retryDelays: [],
    metadata: { filename: 'video.bin', filetype: 'application/octet-stream' },
    ...options,
  })
}

describe('Tusk with the S3 store, end to end', () => {
  let bucket: string
  let server: TuskServer
  beforeAll(async () => {
    bucket = await s3.createBucket('e2e')
    server = await startServer({
      port: 0,
      logLevel: 'silent',
      store: 's3',
      s3Bucket: bucket,
      s3PartSize: 5 * MiB,
      ...s3.settings,
    })
  })
  afterAll(async () => {
    await server?.close()
    if (bucket) await s3.deleteBucket(bucket)
  })

  it('is ready when the bucket is writable', async () => {
    const ready = await send(`${server.origin}/ready`)
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body.toString())).toMatchObject({ store: 's3' })
  })

  it('resumes an interrupted chunked upload and serves the same bytes, whole and by range', async () => {
    const data = bytes(13 * MiB + 12345, 77)
    let url = ''
    // First attempt: stopped (its request cut) once the server has acknowledged 4 MiB or more.
    await new Promise<void>((resolve, reject) => {
      const first = upload(server.url, data, {
        onChunkComplete: (_chunk, accepted) => {
          if (accepted >= 4 * MiB && !url) {
            url = first.url as string
            first.abort().then(resolve, reject)
          }
        },
        onSuccess: () => reject(new Error('the first attempt should have been stopped')),
        onError: reject,
      })
      first.start()
    })
    const acknowledged = Number((await send(url, { method: 'HEAD', headers: TUS })).headers['upload-offset'])
    expect(acknowledged).toBeGreaterThanOrEqual(4 * MiB)

    // Then a PATCH cut mid-body: the bytes that did arrive are kept (in `<id>.part` until a full part).
    await cutPatch(url, acknowledged, data.subarray(acknowledged, acknowledged + 1.5 * MiB), 3 * MiB)
    const offset = Number((await send(url, { method: 'HEAD', headers: TUS })).headers['upload-offset'])
    expect(offset).toBeGreaterThan(acknowledged)
    expect(offset).toBeLessThanOrEqual(acknowledged + 1.5 * MiB)

    let resumedAt = -1
    await new Promise<void>((resolve, reject) => {
      const second = upload(server.url, data, {
        uploadUrl: url,
        onProgress: (sent) => {
          if (resumedAt < 0) resumedAt = sent
        },
        onSuccess: () => resolve(),
        onError: reject,
      })
      second.start()
    })
    expect(resumedAt).toBeGreaterThanOrEqual(offset)

    const whole = await send(url)
    expect(whole.status).toBe(200)
    expect(whole.body.length).toBe(data.length)
    expect(sha256(whole.body)).toBe(sha256(data))

    const start = 5 * MiB - 100
    const end = 10 * MiB + 100
    const ranged = await send(url, { headers: { Range: `bytes=${start}-${end}` } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers['content-range']).toBe(`bytes ${start}-${end}/${data.length}`)
    expect(ranged.body.equals(data.subarray(start, end + 1))).toBe(true)

    const id = new URL(url).pathname.split('/').pop() as string
    expect(await s3.listBucket(bucket, id)).toEqual([id, `${id}.info`])
    // Terminating the finished upload removes it from S3 entirely.
    expect((await send(url, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect((await send(url, { method: 'HEAD', headers: TUS })).status).toBe(404)
    expect(await s3.listBucket(bucket, id)).toEqual([])
  })

  it('terminates an unfinished upload cut mid-PATCH and leaves nothing in the bucket', async () => {
    const data = bytes(9 * MiB, 78)
    let url = ''
    await new Promise<void>((resolve, reject) => {
      const first = upload(server.url, data, {
        chunkSize: 2 * MiB,
        onChunkComplete: (_chunk, accepted) => {
          if (accepted >= 4 * MiB && !url) {
            url = first.url as string
            first.abort().then(resolve, reject)
          }
        },
        onError: reject,
      })
      first.start()
    })
    const id = new URL(url).pathname.split('/').pop() as string
    expect(await s3.listBucket(bucket, id)).not.toEqual([])
    expect((await send(url, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect(await s3.listBucket(bucket, id)).toEqual([])
  })
})
