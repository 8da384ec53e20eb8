import { readdir, readlink } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../test-support/bytes.js'
import { startTusk } from '../../test-support/tusk.js'
import { AUDIENCE, bearer, ISSUER, SECRET, token } from './auth/tokens.js'
import { b64, createUpload, patch, send } from './helpers.js'

/** A client that starts a download and hangs up once the first bytes arrive. */
function hangUpAfterFirstBytes(url: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('error', () => resolve())
  })
}

describe('downloads of finished uploads', async () => {
  const server = await startTusk()
  const data = bytes(1024 * 1024 + 5, 5)

  async function finished(body: Buffer, metadata?: string) {
    const url = await createUpload(server.url, body.length, metadata ? { 'Upload-Metadata': metadata } : {})
    if (body.length > 0) expect((await patch(url, 0, body)).status).toBe(204)
    return url
  }

  it('streams the whole upload with Content-Length, ETag, Last-Modified and nosniff', async () => {
    const url = await finished(data)
    const reply = await send(url)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-length']).toBe(String(data.length))
    expect(reply.headers.etag).toMatch(/^".+"$/)
    expect(Date.parse(String(reply.headers['last-modified']))).not.toBeNaN()
    expect(reply.headers['x-content-type-options']).toBe('nosniff')
    expect(reply.headers['accept-ranges']).toBe('bytes')
    expect(sha256(reply.body)).toBe(sha256(data))
  })

  it('serves a single byte range with 206 and Content-Range', async () => {
    const url = await finished(data)
    const reply = await send(url, { headers: { Range: 'bytes=100-199' } })
    expect(reply.status).toBe(206)
    expect(reply.headers['content-range']).toBe(`bytes 100-199/${data.length}`)
    expect(reply.body.equals(data.subarray(100, 200))).toBe(true)
    const suffix = await send(url, { headers: { Range: 'bytes=-10' } })
    expect(suffix.status).toBe(206)
    expect(suffix.body.equals(data.subarray(data.length - 10))).toBe(true)
  })

  it.each([
    ['the first byte', 'bytes=0-0', 0, 0],
    ['the last byte', `bytes=${data.length - 1}-${data.length - 1}`, data.length - 1, data.length - 1],
    ['all of it', `bytes=0-${data.length - 1}`, 0, data.length - 1],
    ['an end past the last byte (cut to it)', `bytes=10-${data.length + 99}`, 10, data.length - 1],
    ['an open end', 'bytes=20-', 20, data.length - 1],
    ['spaces (range-parser reads them)', 'bytes= 5-9', 5, 9],
  ])('serves the range of %s: %s', async (_, range, first, last) => {
    const url = await finished(data)
    const reply = await send(url, { headers: { Range: range } })
    expect(reply.status).toBe(206)
    expect(reply.headers['content-range']).toBe(`bytes ${first}-${last}/${data.length}`)
    expect(reply.headers['content-length']).toBe(String(last - first + 1))
    expect(reply.body.equals(data.subarray(first, last + 1))).toBe(true)
  })

  it('answers 416 for a range whose first byte is after its last or past the end', async () => {
    const url = await finished(data)
    const reversed = await send(url, { headers: { Range: 'bytes=9-5' } })
    expect(reversed.status).toBe(416)
    const past = await send(url, { headers: { Range: `bytes=${data.length}-${data.length + 5}` } })
    expect(past.status).toBe(416)
  })

  it('answers 416 with Content-Range */size for an unsatisfiable range', async () => {
    const url = await finished(data)
    const reply = await send(url, { headers: { Range: `bytes=${data.length + 10}-` } })
    expect(reply.status).toBe(416)
    expect(reply.headers['content-range']).toBe(`bytes */${data.length}`)
  })

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const url = await finished(data)
    const { headers } = await send(url)
    expect((await send(url, { headers: { 'If-None-Match': String(headers.etag) } })).status).toBe(304)
  })

  it('answers 304 to an If-None-Match list, a weak tag or "*" holding the ETag, and 200 to another tag', async () => {
    const url = await finished(data)
    const etag = String((await send(url)).headers.etag)
    for (const ifNoneMatch of [`"other", ${etag}`, `W/${etag}`, '*']) {
      const reply = await send(url, { headers: { 'If-None-Match': ifNoneMatch } })
      expect(reply.status, ifNoneMatch).toBe(304)
      expect(reply.body.length).toBe(0)
    }
    expect((await send(url, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200)
    // fetch() sends Cache-Control: no-cache with every conditional request; that is for caches.
    const fromFetch = await fetch(url, { headers: { 'If-None-Match': etag } })
    expect(fromFetch.status).toBe(304)
  })

  it('answers 304 to If-Modified-Since at or after Last-Modified, and 200 before it', async () => {
    const url = await finished(data)
    const lastModified = String((await send(url)).headers['last-modified'])
    expect((await send(url, { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304)
    const before = new Date(Date.parse(lastModified) - 60_000).toUTCString()
    const reply = await send(url, { headers: { 'If-Modified-Since': before } })
    expect(reply.status).toBe(200)
    expect(sha256(reply.body)).toBe(sha256(data))
  })

  it('honours If-Range with the Last-Modified date, and sends everything for an older date', async () => {
    const url = await finished(data)
    const lastModified = String((await send(url)).headers['last-modified'])
    const current = await send(url, { headers: { Range: 'bytes=0-9', 'If-Range': lastModified } })
    expect(current.status).toBe(206)
    expect(current.body.equals(data.subarray(0, 10))).toBe(true)
    const older = new Date(Date.parse(lastModified) - 60_000).toUTCString()
    const stale = await send(url, { headers: { Range: 'bytes=0-9', 'If-Range': older } })
    expect(stale.status).toBe(200)
    expect(stale.body.length).toBe(data.length)
  })

  it('does not serve an unfinished upload', async () => {
    const url = await createUpload(server.url, 10)
    await patch(url, 0, Buffer.from('abc'))
    const reply = await send(url)
    expect(reply.status).toBe(404)
    expect(reply.body.toString()).toMatch(/not finished/)
  })

  it('uses the declared Content-Type only for safe types and encodes the filename per RFC 6266', async () => {
    const png = await finished(Buffer.from('x'), `filename ${b64('café.png')},filetype ${b64('image/png')}`)
    const reply = await send(png)
    expect(reply.headers['content-type']).toBe('image/png')
    expect(reply.headers['content-disposition']).toBe(
      `inline; filename="caf?.png"; filename*=UTF-8''caf%C3%A9.png`,
    )

    const html = await finished(
      Buffer.from('<script>alert(1)</script>'),
      `filename ${b64('x.html')},filetype ${b64('text/html')}`,
    )
    const unsafe = await send(html)
    expect(unsafe.headers['content-type']).toBe('application/octet-stream')
    expect(String(unsafe.headers['content-disposition'])).toMatch(/^attachment; filename="x.html"/)
    expect(unsafe.headers['x-content-type-options']).toBe('nosniff')
  })

  it('serves an empty upload as 200 with Content-Length 0', async () => {
    const url = await finished(Buffer.alloc(0))
    const reply = await send(url)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-length']).toBe('0')
  })

  it('survives repeated, concurrent and client-aborted downloads (no "ReadableStream is already closed" crash)', async () => {
    const big = bytes(8 * 1024 * 1024, 9)
    const url = await finished(big)
    for (let round = 0; round < 3; round++) {
      const whole = await Promise.all(Array.from({ length: 8 }, () => send(url)))
      for (const reply of whole) expect(sha256(reply.body)).toBe(sha256(big))
      await Promise.all(Array.from({ length: 8 }, () => hangUpAfterFirstBytes(url)))
    }
    const after = await send(`${server.origin}/health`)
    expect(after.status).toBe(200)
    expect(sha256((await send(url)).body)).toBe(sha256(big))
  })

  it('serves a downloaded-before upload again with the same validators and bytes, ranges included', async () => {
    const url = await finished(data, `filename ${b64('a.txt')},filetype ${b64('text/plain')}`)
    const first = await send(url)
    const again = await send(url)
    for (const name of ['etag', 'last-modified', 'content-length', 'content-type', 'content-disposition']) {
      expect(again.headers[name], name).toBe(first.headers[name])
    }
    expect(sha256(again.body)).toBe(sha256(data))
    const range = await send(url, { headers: { Range: 'bytes=7-1000006' } })
    expect(range.status).toBe(206)
    expect(range.body.equals(data.subarray(7, 1_000_007))).toBe(true)
  })

  it('closes the file of every download a client hung up on, and of every finished one', async () => {
    const big = bytes(4 * 1024 * 1024, 11)
    const url = await finished(big)
    const file = path.join(server.dataDir, url.slice(url.lastIndexOf('/') + 1))
    const openCopies = async () => {
      const links = await Promise.all(
        (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
      )
      return links.filter((link) => link === file).length
    }
    await Promise.all(Array.from({ length: 6 }, () => hangUpAfterFirstBytes(url)))
    expect(sha256((await send(url)).body)).toBe(sha256(big))
    await expect.poll(openCopies, { timeout: 5000 }).toBe(0)
  })

  it('answers 404 once a downloaded upload is deleted, never its remembered record', async () => {
    const url = await finished(Buffer.from('short-lived'))
    expect((await send(url)).status).toBe(200)
    expect((await send(url, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } })).status).toBe(204)
    const after = await send(url)
    expect(after.status).toBe(404)
  })
})

describe('downloads with authentication on', async () => {
  const server = await startTusk({ jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE })

  it('checks the token and the owner on every download, also of an upload downloaded before', async () => {
    const [ownerA, ownerB] = await Promise.all([token('owner-a'), token('owner-b')])
    const data = bytes(10_000, 3)
    const created = await send(server.url, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Length': String(data.length),
        ...bearer(ownerA),
      },
      body: data,
    })
    expect(created.status).toBe(201)
    const url = new URL(String(created.headers.location), server.url).href
    for (let round = 0; round < 2; round++) {
      const mine = await send(url, { headers: bearer(ownerA) })
      expect(mine.status).toBe(200)
      expect(sha256(mine.body)).toBe(sha256(data))
      expect((await send(url)).status).toBe(401)
      expect((await send(url, { headers: bearer(ownerB) })).status).toBe(404)
    }
  })
})
