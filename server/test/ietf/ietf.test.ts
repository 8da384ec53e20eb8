import { createHash } from 'node:crypto'
import * as tus from 'tus-js-client'
import { describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { redisUrl, s3Bucket, s3Settings } from '../../../test-support/services.js'
import { useTusk } from '../../../test-support/tusk.js'

// The IETF "Resumable Uploads for HTTP" draft beside tus v1, against a real Tusk.

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
const draft = (version: number) => ({ 'Upload-Draft-Interop-Version': String(version) })
const PARTIAL = { 'Content-Type': 'application/partial-upload' }
/** A problem details body (RFC 9457). */
const problemOf = async (res: Response) => (await res.json()) as Record<string, unknown>

/** Uploads `data` with tus-js-client speaking interop 6, aborting once past `abortAt`; returns the URL. */
function uploadWithTusJsClient(
  endpoint: string,
  data: Buffer,
  options: { abortAt?: number; uploadUrl?: string } = {},
): Promise<{ url: string; aborted: boolean; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0
    // tus-js-client 4 speaks the draft with `protocol`, which its type definitions do not list yet.
    const draftOptions = { protocol: 'ietf-draft-05' } as Partial<tus.UploadOptions>
    const upload: tus.Upload = new tus.Upload(data, {
      ...draftOptions,
      endpoint,
      uploadUrl: options.uploadUrl,
      chunkSize: 256 * 1024,
      retryDelays: [],
      onProgress(bytesSent: number) {
        sent = bytesSent
        if (options.abortAt !== undefined && bytesSent >= options.abortAt) {
          upload.abort().then(() => resolve({ url: upload.url as string, aborted: true, sent }), reject)
        }
      },
      onError: reject,
      onSuccess: (): void => resolve({ url: upload.url as string, aborted: false, sent }),
    })
    upload.start()
  })
}

const stores = [
  ['file store', () => ({})],
  ['S3 store', () => ({ store: 's3' as const, ...s3Settings(), s3Bucket: s3Bucket(), redisUrl: redisUrl() })],
] as const

describe.each(stores)('tus-js-client with protocol ietf-draft-05 (interop 6), %s', (_name, config) => {
  const tusk = useTusk(config())

  it('uploads, is interrupted, resumes where the server is and ends byte-exact', async () => {
    const data = bytes(3 * 2 ** 20, 21)
    const first = await uploadWithTusJsClient(tusk.server.url, data, { abortAt: 2 ** 20 })
    expect(first.aborted).toBe(true)
    const head = await fetch(first.url, { method: 'HEAD', headers: draft(6) })
    expect(head.status).toBe(204)
    const offset = Number(head.headers.get('upload-offset'))
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThan(data.length)
    const second = await uploadWithTusJsClient(tusk.server.url, data, { uploadUrl: first.url })
    expect(second.aborted).toBe(false)
    // A plain GET (no interop field) is a download, for both protocols' finished uploads.
    const download = await fetch(first.url)
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(data))
  })
})

describe('interop 9, 8 and 6 answered by one version table', () => {
  const tusk = useTusk({ maxSize: 1_000_000, uploadExpiry: 3_600_000 })

  async function create(version: number, headers: Record<string, string>, body?: string) {
    return fetch(tusk.server.url, { method: 'POST', headers: { ...draft(version), ...headers }, body })
  }

  it('OPTIONS carries Upload-Limit (max-size, and the lifetime as max-age, or expires in interop 6)', async () => {
    const v9 = await fetch(tusk.server.url, { method: 'OPTIONS', headers: draft(9) })
    expect(v9.headers.get('upload-limit')).toBe('max-size=1000000, min-size=0, max-age=3600')
    expect(v9.headers.get('accept-patch')).toBe('application/partial-upload')
    const v6 = await fetch(tusk.server.url, { method: 'OPTIONS', headers: draft(6) })
    expect(v6.headers.get('upload-limit')).toBe('max-size=1000000, min-size=0, expires=3600')
  })

  it('creates with ?0 and no content (careful creation), appends, and completes with ?1', async () => {
    const created = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '10' })
    expect(created.status).toBe(201)
    expect(created.headers.get('upload-offset')).toBe('0')
    expect(created.headers.get('upload-complete')).toBe('?0')
    const url = created.headers.get('location') as string
    const first = await fetch(url, {
      method: 'PATCH',
      headers: { ...draft(9), ...PARTIAL, 'Upload-Offset': '0', 'Upload-Complete': '?0' },
      body: 'hello',
    })
    expect(first.status).toBe(204)
    expect(first.headers.get('upload-offset')).toBe('5')
    const offset = await fetch(url, { method: 'HEAD', headers: draft(9) })
    expect(offset.headers.get('upload-offset')).toBe('5')
    expect(offset.headers.get('upload-complete')).toBe('?0')
    expect(offset.headers.get('upload-length')).toBe('10')
    expect(offset.headers.get('cache-control')).toBe('no-store')
    // Interop 9: GET with the interop field retrieves the offset, told apart from a download.
    const viaGet = await fetch(url, { headers: draft(9) })
    expect(viaGet.headers.get('upload-offset')).toBe('5')
    const last = await fetch(url, {
      method: 'PATCH',
      headers: { ...draft(9), ...PARTIAL, 'Upload-Offset': '5', 'Upload-Complete': '?1' },
      body: 'world',
    })
    expect(last.status).toBe(204)
    expect(last.headers.get('upload-complete')).toBe('?1')
    expect(await (await fetch(url)).text()).toBe('helloworld')
  })

  it('creates a whole upload in one request with ?1 (the length from Content-Length)', async () => {
    const created = await create(9, { 'Upload-Complete': '?1', 'Content-Type': 'text/plain' }, 'all of it')
    expect(created.status).toBe(201)
    expect(created.headers.get('upload-complete')).toBe('?1')
    expect(created.headers.get('upload-offset')).toBe('9')
    expect(await (await fetch(created.headers.get('location') as string)).text()).toBe('all of it')
  })

  it('answers a mismatching offset 409 with problem details naming the expected and provided offsets', async () => {
    const created = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '10' }, undefined)
    const url = created.headers.get('location') as string
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { ...draft(9), ...PARTIAL, 'Upload-Offset': '3', 'Upload-Complete': '?0' },
      body: 'abc',
    })
    expect(res.status).toBe(409)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.headers.get('upload-offset')).toBe('0')
    expect(res.headers.get('upload-complete')).toBe('?0')
    expect(await problemOf(res)).toMatchObject({
      type: 'https://iana.org/assignments/http-problem-types#mismatching-upload-offset',
      'expected-offset': 0,
      'provided-offset': 3,
    })
  })

  it('answers an inconsistent length 400 with its problem type', async () => {
    const res = await create(9, { 'Upload-Complete': '?1', 'Upload-Length': '20' }, 'short')
    expect(res.status).toBe(400)
    expect(res.headers.get('upload-complete')).toBe('?0')
    expect((await problemOf(res)).type).toBe(
      'https://iana.org/assignments/http-problem-types#inconsistent-upload-length',
    )
  })

  it('handles an append to a completed upload per version: replay (9), 410 (8), refusal (6)', async () => {
    const answers: Record<number, number> = {}
    for (const version of [9, 8, 6]) {
      const created = await create(version, { 'Upload-Complete': '?1', ...PARTIAL }, 'done')
      expect(created.status).toBe(201)
      const again = await fetch(created.headers.get('location') as string, {
        method: 'PATCH',
        headers: { ...draft(version), ...PARTIAL, 'Upload-Offset': '4', 'Upload-Complete': '?1' },
        body: '',
      })
      answers[version] = again.status
      if (version === 9) expect(again.headers.get('upload-complete')).toBe('?1')
      if (version === 8) expect((await problemOf(again)).type).toMatch(/#completed-upload$/)
    }
    expect(answers).toEqual({ 9: 204, 8: 410, 6: 400 })
  })

  it('verifies Content-Digest before the bytes count (a mismatch is discarded: 400)', async () => {
    const created = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '5' })
    const url = created.headers.get('location') as string
    const digest = (text: string) => `sha-256=:${createHash('sha256').update(text).digest('base64')}:`
    const bad = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...draft(9),
        ...PARTIAL,
        'Upload-Offset': '0',
        'Upload-Complete': '?1',
        'Content-Digest': digest('other'),
      },
      body: 'hello',
    })
    expect(bad.status).toBe(400)
    expect((await problemOf(bad)).code).toBe('ERR_DIGEST_MISMATCH')
    expect((await fetch(url, { method: 'HEAD', headers: draft(9) })).headers.get('upload-offset')).toBe('0')
    const good = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...draft(9),
        ...PARTIAL,
        'Upload-Offset': '0',
        'Upload-Complete': '?1',
        'Content-Digest': digest('hello'),
      },
      body: 'hello',
    })
    expect(good.status).toBe(204)
  })

  it('keeps each protocol to its own uploads (409), and treats an unknown interop version as tus v1 (412)', async () => {
    const ietf = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '3' })
    const ietfUrl = ietf.headers.get('location') as string
    const asTus = await fetch(ietfUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    expect(asTus.status).toBe(409)
    const tusUpload = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '3' },
    })
    const asDraft = await fetch(tusUpload.headers.get('location') as string, {
      method: 'HEAD',
      headers: draft(9),
    })
    expect(asDraft.status).toBe(409)
    const unknown = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { ...draft(99), 'Upload-Complete': '?0' },
    })
    expect(unknown.status).toBe(412)
  })

  it('answers content that runs past the upload length 400 inconsistent length, and counts none of it', async () => {
    const created = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '10' })
    const url = created.headers.get('location') as string
    const append = (body: string | ReadableStream, extra: Record<string, string> = {}) =>
      fetch(url, {
        method: 'PATCH',
        headers: { ...draft(9), ...PARTIAL, 'Upload-Offset': '0', 'Upload-Complete': '?0', ...extra },
        body,
        duplex: 'half',
      } as RequestInit)
    const tooLong = await append('0123456789abc')
    expect(tooLong.status).toBe(400)
    expect((await problemOf(tooLong)).type).toBe(
      'https://iana.org/assignments/http-problem-types#inconsistent-upload-length',
    )
    expect((await fetch(url, { method: 'HEAD', headers: draft(9) })).headers.get('upload-offset')).toBe('0')
    // The same without Content-Length (a chunked body): refused when it passes the length.
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('0123456789abc'))
        controller.close()
      },
    })
    expect((await append(chunked)).status).toBe(400)
    const head = await fetch(url, { method: 'HEAD', headers: draft(9) })
    expect(Number(head.headers.get('upload-offset'))).toBeLessThanOrEqual(10)
    expect(head.headers.get('upload-complete')).toBe('?0')
  })

  it('reads a draft request by the draft alone: tus fields mixed in are ignored, not obeyed', async () => {
    const mixed = await create(9, {
      'Upload-Complete': '?0',
      'Upload-Length': '4',
      'Tus-Resumable': '1.0.0',
      'Upload-Defer-Length': '1',
      'Upload-Metadata': 'filename dGVzdA==',
    })
    expect(mixed.status).toBe(201)
    const url = mixed.headers.get('location') as string
    const head = await fetch(url, { method: 'HEAD', headers: draft(9) })
    expect(head.headers.get('upload-length')).toBe('4')
    expect(head.headers.get('tus-resumable')).toBeNull()
    // and a tus request cannot continue it (each protocol continues its own uploads)
    const tusHead = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    expect(tusHead.status).toBe(409)
  })

  it('refuses an append without Content-Type: application/partial-upload (415) and a missing Upload-Complete (400)', async () => {
    const created = await create(9, { 'Upload-Complete': '?0', 'Upload-Length': '3' })
    const url = created.headers.get('location') as string
    const wrongType = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...draft(9),
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Upload-Complete': '?0',
      },
      body: 'abc',
    })
    expect(wrongType.status).toBe(415)
    const noComplete = await create(9, { 'Upload-Length': '3' })
    expect(noComplete.status).toBe(400)
    const notBoolean = await create(9, { 'Upload-Complete': 'yes', 'Upload-Length': '3' })
    expect(notBoolean.status).toBe(400)
  })
})
