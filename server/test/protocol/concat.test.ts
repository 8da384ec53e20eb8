import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Upload } from '@tus/utils'
import * as tus from 'tus-js-client'
import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'
import type { TuskServer } from '../../src/index.js'
import { newMetadataRecord } from '../../src/model/record.js'
import { create, download, head, OCTETS, patch, TUS } from './helpers.js'

/** A finished partial upload holding `data`; returns its URL. */
async function partial(server: TuskServer, data: string): Promise<string> {
  const url = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': String(data.length) })
  if (data.length > 0) expect((await patch(url, 0, data)).status).toBe(204)
  return url
}

const concatFinal = (server: TuskServer, value: string, headers: Record<string, string> = {}) =>
  fetch(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Concat': value, ...headers } })

describe('concatenation extension', () => {
  const ctx = useTusk()

  it('announces concatenation in Tus-Extension', async () => {
    const res = await fetch(ctx.server.url, { method: 'OPTIONS' })
    expect(res.headers.get('tus-extension')?.split(',')).toContain('concatenation')
  })

  it('creates partial uploads whose HEAD carries Upload-Concat: partial and Upload-Offset', async () => {
    const url = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '5' })
    const res = await head(url)
    expect(res.headers.get('upload-concat')).toBe('partial')
    expect(res.headers.get('upload-offset')).toBe('0')
    expect(res.headers.get('upload-length')).toBe('5')
  })

  it('accepts data on partial creation (creation-with-upload)', async () => {
    const res = await fetch(ctx.server.url, {
      method: 'POST',
      headers: { ...TUS, ...OCTETS, 'Upload-Concat': 'partial', 'Upload-Length': '5' },
      body: 'hello',
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('upload-offset')).toBe('5')
  })

  it('concatenates the partial uploads in the order given into a final upload (the spec example)', async () => {
    const a = new URL(await partial(ctx.server, 'hello')).pathname
    const b = new URL(await partial(ctx.server, ' world')).pathname
    const res = await concatFinal(ctx.server, `final;${a} ${b}`)
    expect(res.status).toBe(201)
    const url = new URL(res.headers.get('location') as string, ctx.server.url).href
    const info = await head(url)
    expect(info.headers.get('upload-length')).toBe('11')
    expect(info.headers.get('upload-offset')).toBe('11')
    expect(info.headers.get('upload-concat')).toBe(`final;${a} ${b}`)
    expect((await download(url)).toString()).toBe('hello world')
  })

  it('accepts absolute URLs, repeated partials and reuse of partials in several finals', async () => {
    const a = await partial(ctx.server, 'ab')
    const b = await partial(ctx.server, 'cd')
    const first = await concatFinal(ctx.server, `final;${b} ${a} ${b}`)
    expect(first.status).toBe(201)
    expect((await download(first.headers.get('location') as string)).toString()).toBe('cdabcd')
    const second = await concatFinal(ctx.server, `final;${a} ${b}`)
    expect((await download(second.headers.get('location') as string)).toString()).toBe('abcd')
  })

  it('gives the final upload only the metadata of the final request', async () => {
    const a = await create(ctx.server, {
      'Upload-Concat': 'partial',
      'Upload-Length': '1',
      'Upload-Metadata': 'part YQ==',
    })
    await patch(a, 0, 'x')
    const withMeta = await concatFinal(ctx.server, `final;${a}`, { 'Upload-Metadata': 'filename Zi50eHQ=' })
    expect((await head(withMeta.headers.get('location') as string)).headers.get('upload-metadata')).toBe(
      'filename Zi50eHQ=',
    )
    const without = await concatFinal(ctx.server, `final;${a}`)
    expect((await head(without.headers.get('location') as string)).headers.get('upload-metadata')).toBeNull()
  })

  it('answers 403 to PATCH against a final upload and modifies neither it nor its partials', async () => {
    const a = await partial(ctx.server, 'abc')
    const res = await concatFinal(ctx.server, `final;${a}`)
    const url = res.headers.get('location') as string
    expect((await patch(url, 3, '')).status).toBe(403)
    expect((await patch(url, 3, 'more')).status).toBe(403)
    expect(
      (await patch(url, 3, 'more', { 'Upload-Checksum': 'sha1 AAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status,
    ).toBe(403)
    expect((await download(url)).toString()).toBe('abc')
    expect((await download(a)).toString()).toBe('abc')
  })

  it('sends Upload-Expires on the PATCH that finishes a partial upload (partials expire even when finished)', async () => {
    const url = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '3' })
    const res = await patch(url, 0, 'abc')
    expect(res.status).toBe(204)
    expect(res.headers.get('upload-expires')).not.toBeNull()
  })

  it('omits Upload-Offset on HEAD of a final upload whose concatenation has not finished', async () => {
    // A final upload caught mid-assembly (e.g. the process died while copying), made directly in the store.
    const id = 'f'.repeat(32)
    const concat = 'final;/files/a /files/b'
    await ctx.server.store.datastore.create(
      new Upload({ id, size: 10, offset: 0, metadata: newMetadataRecord(undefined, concat) }),
    )
    const res = await head(`${ctx.server.url}/${id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('upload-offset')).toBeNull()
    expect(res.headers.get('upload-length')).toBe('10')
    expect(res.headers.get('upload-concat')).toBe(concat)
  })

  it('terminates a final upload with DELETE', async () => {
    const a = await partial(ctx.server, 'abc')
    const url = (await concatFinal(ctx.server, `final;${a}`)).headers.get('location') as string
    expect((await fetch(url, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect((await head(url)).status).toBe(404)
    expect((await head(a)).status).toBe(200)
  })

  it('takes a final upload naming a partial that is still receiving a PATCH, without disturbing that PATCH', async () => {
    const url = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '6' })
    const target = new URL(url)
    const socket = net.connect(Number(target.port), target.hostname)
    let response = ''
    socket.on('data', (chunk) => {
      response += chunk.toString()
    })
    socket.write(
      `PATCH ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n` +
        'Content-Type: application/offset+octet-stream\r\nContent-Length: 6\r\n\r\nabc',
    )
    await sleep(200)
    // concatenation-unfinished: the final upload waits for the partial instead of taking its lock.
    const final = await concatFinal(ctx.server, `final;${url}`)
    expect(final.status).toBe(201)
    // Longer than @tus/server's 3 s lock drain would have allowed the PATCH, had the final request asked for its lock.
    await sleep(3_500)
    const answered = new Promise((resolve) => {
      socket.once('data', resolve)
      socket.once('close', resolve)
    })
    socket.write('def')
    await answered
    socket.destroy()
    expect(response.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 204\b/)
    expect((await head(url)).headers.get('upload-offset')).toBe('6')
    expect((await download(final.headers.get('location') as string)).toString()).toBe('abcdef')
  })

  it('refuses uploads that are not partial, unknown uploads and URLs of other servers', async () => {
    const plain = await create(ctx.server, { 'Upload-Length': '1' })
    await patch(plain, 0, 'x')
    expect((await concatFinal(ctx.server, `final;${plain}`)).status).toBe(400)
    expect((await concatFinal(ctx.server, `final;${ctx.server.url}/0123456789abcdef`)).status).toBe(400)
    const a = await partial(ctx.server, 'x')
    const foreign = `http://elsewhere.example${new URL(a).pathname}`
    expect((await concatFinal(ctx.server, `final;${foreign}`)).status).toBe(400)
    expect((await concatFinal(ctx.server, 'final;/not-the-base-path/abc')).status).toBe(400)
    expect((await concatFinal(ctx.server, 'final;')).status).toBe(400)
    expect((await concatFinal(ctx.server, 'sideways')).status).toBe(400)
  })

  it('refuses Upload-Length on the final upload creation', async () => {
    const a = await partial(ctx.server, 'x')
    expect((await concatFinal(ctx.server, `final;${a}`, { 'Upload-Length': '1' })).status).toBe(400)
  })

  it('works end to end with tus-js-client parallelUploads', async () => {
    const data = randomBytes(2_500_001)
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: ctx.server.url,
        parallelUploads: 4,
        metadata: { filename: 'parallel.bin' },
        onError: reject,
        onSuccess: () => resolve(upload.url as string),
      })
      upload.start()
    })
    const info = await head(url)
    expect(info.headers.get('upload-concat')?.startsWith('final;')).toBe(true)
    expect(info.headers.get('upload-concat')?.split(' ')).toHaveLength(4)
    expect((await download(url)).equals(data)).toBe(true)
  })
})

describe('concatenation limits and expiry', () => {
  const ctx = useTusk({ maxSize: 10, uploadExpiry: 300, cleanupInterval: 0 })

  it('refuses a final upload whose partials add up to more than Tus-Max-Size with 413', async () => {
    const a = await partial(ctx.server, 'abcdefgh')
    expect((await concatFinal(ctx.server, `final;${a} ${a}`)).status).toBe(413)
  })

  it('expires partial uploads, finished or not, and keeps final uploads', async () => {
    const a = await partial(ctx.server, 'abc')
    const unfinished = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '3' })
    const finalRes = await concatFinal(ctx.server, `final;${a}`)
    const final = finalRes.headers.get('location') as string
    expect((await head(a)).headers.get('upload-expires')).not.toBeNull()
    await sleep(400)
    expect((await head(a)).status).toBe(410)
    expect((await concatFinal(ctx.server, `final;${a}`)).status).toBe(400)
    expect(await ctx.server.core.deleteExpired()).toBeGreaterThanOrEqual(2)
    expect((await head(a)).status).toBe(404)
    expect((await head(unfinished)).status).toBe(404)
    expect((await download(final)).toString()).toBe('abc')
  })
})
