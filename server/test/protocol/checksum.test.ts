import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { startTusk, useTusk } from '../../../test-support/tusk.js'
import { create, download, head, OCTETS, patch, rawRequest, TUS } from './helpers.js'

const sum = (algorithm: string, data: string | Buffer) => {
  if (algorithm === 'crc32') {
    const out = Buffer.alloc(4)
    out.writeUInt32BE(zlib.crc32(data) >>> 0)
    return out.toString('base64')
  }
  return createHash(algorithm).update(data).digest('base64')
}

describe('checksum extension', () => {
  const ctx = useTusk()

  it('lists checksum and checksum-trailer in Tus-Extension and the algorithms in Tus-Checksum-Algorithm', async () => {
    const res = await fetch(ctx.server.url, { method: 'OPTIONS' })
    expect(res.headers.get('tus-extension')?.split(',')).toEqual(
      expect.arrayContaining(['checksum', 'checksum-trailer']),
    )
    expect(res.headers.get('tus-checksum-algorithm')?.split(',')).toEqual(
      expect.arrayContaining(['sha1', 'sha256', 'md5', 'crc32']),
    )
  })

  it('verifies the spec example: sha1 of "hello world" is accepted with 204', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '11' })
    const res = await patch(url, 0, 'hello world', { 'Upload-Checksum': 'sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=' })
    expect(res.status).toBe(204)
    expect(res.headers.get('upload-offset')).toBe('11')
  })

  for (const algorithm of ['sha1', 'sha256', 'sha512', 'md5', 'crc32']) {
    it(`accepts a chunk whose ${algorithm} matches and appends it`, async () => {
      const url = await create(ctx.server, { 'Upload-Length': '10' })
      expect(
        (await patch(url, 0, 'abcde', { 'Upload-Checksum': `${algorithm} ${sum(algorithm, 'abcde')}` }))
          .status,
      ).toBe(204)
      const res = await patch(url, 5, 'fghij', {
        'Upload-Checksum': `${algorithm} ${sum(algorithm, 'fghij')}`,
      })
      expect(res.status).toBe(204)
      expect(res.headers.get('upload-offset')).toBe('10')
      expect((await download(url)).toString()).toBe('abcdefghij')
    })
  }

  it('answers 460 on a mismatch and discards the chunk: stored bytes and offset stay exactly as before', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '10' })
    expect((await patch(url, 0, 'abcde')).status).toBe(204)
    const res = await patch(url, 5, 'fghiX', { 'Upload-Checksum': `sha256 ${sum('sha256', 'fghij')}` })
    expect(res.status).toBe(460)
    expect((await head(url)).headers.get('upload-offset')).toBe('5')
    // The retry at the unchanged offset completes the upload with the right bytes only.
    expect(
      (await patch(url, 5, 'fghij', { 'Upload-Checksum': `sha256 ${sum('sha256', 'fghij')}` })).status,
    ).toBe(204)
    expect((await download(url)).toString()).toBe('abcdefghij')
  })

  it('answers 400 to an unsupported algorithm and leaves the upload unchanged', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '5' })
    const res = await patch(url, 0, 'abcde', { 'Upload-Checksum': `sha3 ${sum('sha256', 'abcde')}` })
    expect(res.status).toBe(400)
    expect((await head(url)).headers.get('upload-offset')).toBe('0')
  })

  it('answers 400 to a malformed Upload-Checksum', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '5' })
    expect((await patch(url, 0, 'abcde', { 'Upload-Checksum': 'sha1' })).status).toBe(400)
    expect((await patch(url, 0, 'abcde', { 'Upload-Checksum': 'sha1 not*base64' })).status).toBe(400)
    expect((await head(url)).headers.get('upload-offset')).toBe('0')
  })

  it('rejects a corrupted chunk with 460 in a multi-chunk upload, which still completes after a retry', async () => {
    const data = Buffer.alloc(3 * 65_536)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff
    const url = await create(ctx.server, { 'Upload-Length': String(data.length) })
    for (let offset = 0; offset < data.length; offset += 65_536) {
      const chunk = data.subarray(offset, offset + 65_536)
      const checksum = { 'Upload-Checksum': `sha1 ${sum('sha1', chunk)}` }
      if (offset === 65_536) {
        const corrupted = Buffer.from(chunk)
        corrupted[100] = (corrupted[100] ?? 0) ^ 0xff
        expect((await patch(url, offset, corrupted, checksum)).status).toBe(460)
        expect((await head(url)).headers.get('upload-offset')).toBe(String(offset))
      }
      const res = await patch(url, offset, chunk, checksum)
      expect(res.status).toBe(204)
    }
    const stored = await download(url)
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    )
  })

  it('leaves no staged chunk and no unverified bytes behind after accepting or rejecting', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '5' })
    const id = url.split('/').pop() as string
    await patch(url, 0, 'abcde', { 'Upload-Checksum': `md5 ${sum('md5', 'zzzzz')}` })
    // The refused chunk was written in place and cut off again: the data file is empty.
    expect((await stat(path.join(ctx.server.dataDir, id))).size).toBe(0)
    await patch(url, 0, 'abcde', { 'Upload-Checksum': `md5 ${sum('md5', 'abcde')}` })
    expect(await readFile(path.join(ctx.server.dataDir, id), 'utf8')).toBe('abcde')
    const record = JSON.parse(await readFile(path.join(ctx.server.dataDir, `${id}.json`), 'utf8'))
    expect(record).not.toHaveProperty(['tusk.unverifiedFrom'])
    const staged = await readdir(path.join(ctx.server.dataDir, '.tmp')).catch(() => [])
    expect(staged).toEqual([])
  })

  it('answers 413 to a checksum PATCH beyond the upload length and leaves the upload unchanged', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '3' })
    const res = await patch(url, 0, 'abcdef', { 'Upload-Checksum': `sha1 ${sum('sha1', 'abcdef')}` })
    expect(res.status).toBe(413)
    expect((await head(url)).headers.get('upload-offset')).toBe('0')
  })

  it('declares a deferred length on a verified PATCH only', async () => {
    const url = await create(ctx.server, { 'Upload-Defer-Length': '1' })
    const bad = await patch(url, 0, 'abc', {
      'Upload-Length': '3',
      'Upload-Checksum': `sha1 ${sum('sha1', 'xyz')}`,
    })
    expect(bad.status).toBe(460)
    expect((await head(url)).headers.get('upload-defer-length')).toBe('1')
    const good = await patch(url, 0, 'abc', {
      'Upload-Length': '3',
      'Upload-Checksum': `sha1 ${sum('sha1', 'abc')}`,
    })
    expect(good.status).toBe(204)
    expect((await head(url)).headers.get('upload-length')).toBe('3')
  })

  describe('chunks of several MiB (many socket reads, each hashed as it arrives)', () => {
    // Not a multiple of any read or write size, so the last read of it is a short one.
    const big = Buffer.alloc(3 * 2 ** 20 + 12_345)
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff
    const corrupt = (data: Buffer, at: number) => {
      const copy = Buffer.from(data)
      copy[at] = (copy[at] ?? 0) ^ 0x01
      return copy
    }

    for (const algorithm of ['sha1', 'sha256', 'sha512', 'md5']) {
      it(`accepts a large ${algorithm} chunk after a verified one and stores both byte-exact`, async () => {
        const url = await create(ctx.server, { 'Upload-Length': String(5 + big.length) })
        const check = (data: string | Buffer) => ({
          'Upload-Checksum': `${algorithm} ${sum(algorithm, data)}`,
        })
        expect((await patch(url, 0, 'abcde', check('abcde'))).status).toBe(204)
        const res = await patch(url, 5, big, check(big))
        expect(res.status).toBe(204)
        expect(res.headers.get('upload-offset')).toBe(String(5 + big.length))
        expect(Buffer.compare(await download(url), Buffer.concat([Buffer.from('abcde'), big]))).toBe(0)
      })
    }

    it('answers 460 to a large chunk with one flipped bit (first or last byte) and cuts it off the data file', async () => {
      const url = await create(ctx.server, { 'Upload-Length': String(5 + big.length) })
      const id = url.split('/').pop() as string
      expect((await patch(url, 0, 'abcde')).status).toBe(204)
      const checksum = { 'Upload-Checksum': `sha256 ${sum('sha256', big)}` }
      for (const at of [0, big.length - 1]) {
        expect((await patch(url, 5, corrupt(big, at), checksum)).status).toBe(460)
        expect((await head(url)).headers.get('upload-offset')).toBe('5')
        expect((await stat(path.join(ctx.server.dataDir, id))).size).toBe(5)
      }
      expect((await patch(url, 5, big, checksum)).status).toBe(204)
      expect(Buffer.compare(await download(url), Buffer.concat([Buffer.from('abcde'), big]))).toBe(0)
    })

    it('verifies a large chunk against its trailer checksum: a match appends it, a mismatch does not', async () => {
      const url = await create(ctx.server, { 'Upload-Length': String(big.length) })
      const send = (body: Buffer) =>
        rawRequest(url, {
          method: 'PATCH',
          headers: { ...TUS, ...OCTETS, 'Upload-Offset': '0', Trailer: 'Upload-Checksum' },
          body: Readable.from([body]),
          trailers: { 'Upload-Checksum': `sha1 ${sum('sha1', big)}` },
        })
      expect((await send(corrupt(big, 2 ** 20))).status).toBe(460)
      expect((await head(url)).headers.get('upload-offset')).toBe('0')
      expect((await send(big)).status).toBe(204)
      expect(Buffer.compare(await download(url), big)).toBe(0)
    })

    it('creates an upload with a large verified first chunk, and nothing when it mismatches', async () => {
      const post = (body: Buffer) =>
        fetch(ctx.server.url, {
          method: 'POST',
          headers: {
            ...TUS,
            ...OCTETS,
            'Upload-Length': String(big.length),
            'Upload-Checksum': `md5 ${sum('md5', big)}`,
          },
          body,
        })
      // Uploads only: the first staged chunk makes the staging directory (.tmp), which must end empty.
      const uploads = async () => (await readdir(ctx.server.dataDir)).filter((name) => !name.startsWith('.'))
      const before = await uploads()
      expect((await post(corrupt(big, 12_345))).status).toBe(460)
      expect(await uploads()).toEqual(before)
      expect(await readdir(path.join(ctx.server.dataDir, '.tmp'))).toEqual([])
      const res = await post(big)
      expect(res.status).toBe(201)
      const url = new URL(res.headers.get('location') as string, ctx.server.url).href
      expect(Buffer.compare(await download(url), big)).toBe(0)
    })
  })

  describe('on creation-with-upload', () => {
    it('creates the upload with the verified first chunk', async () => {
      const res = await fetch(ctx.server.url, {
        method: 'POST',
        headers: {
          ...TUS,
          ...OCTETS,
          'Upload-Length': '10',
          'Upload-Checksum': `sha256 ${sum('sha256', 'hello')}`,
        },
        body: 'hello',
      })
      expect(res.status).toBe(201)
      expect(res.headers.get('upload-offset')).toBe('5')
      const url = new URL(res.headers.get('location') as string, ctx.server.url).href
      expect((await head(url)).headers.get('upload-offset')).toBe('5')
    })

    it('answers 460 to a mismatching first chunk and creates nothing', async () => {
      const before = await readdir(ctx.server.dataDir)
      const res = await fetch(ctx.server.url, {
        method: 'POST',
        headers: {
          ...TUS,
          ...OCTETS,
          'Upload-Length': '10',
          'Upload-Checksum': `sha256 ${sum('sha256', 'hellO')}`,
        },
        body: 'hello',
      })
      expect(res.status).toBe(460)
      expect(res.headers.get('location')).toBeNull()
      expect(await readdir(ctx.server.dataDir)).toEqual(before)
    })

    it('verifies a first chunk of up to 64 KiB in memory: no staging file, written once, also on a mismatch or a cut body', async () => {
      const tusk = await startTusk()
      const small = Buffer.alloc(64 * 1024, 'q')
      const post = (body: Buffer, checksumOf: Buffer) =>
        fetch(tusk.url, {
          method: 'POST',
          headers: {
            ...TUS,
            ...OCTETS,
            'Upload-Length': String(small.length),
            'Upload-Checksum': `sha1 ${sum('sha1', checksumOf)}`,
          },
          body,
        })
      expect((await post(small, Buffer.from('other'))).status).toBe(460)
      const created = await post(small, small)
      expect(created.status).toBe(201)
      const url = new URL(created.headers.get('location') as string, tusk.url).href
      expect(Buffer.compare(await download(url), small)).toBe(0)
      // A body cut short (a declared length that never arrives) cannot be verified: nothing is created.
      const cut = new Promise<void>((resolve) => {
        const socket = net.connect(Number(new URL(tusk.url).port), '127.0.0.1', () => {
          socket.end(
            `POST ${new URL(tusk.url).pathname} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n` +
              `Content-Type: application/offset+octet-stream\r\nUpload-Length: 10\r\nContent-Length: 10\r\n` +
              `Upload-Checksum: sha1 ${sum('sha1', '0123456789')}\r\n\r\n01234`,
          )
        })
        socket.on('close', () => resolve())
        socket.on('error', () => resolve())
        socket.resume()
      })
      await cut
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect((await readdir(tusk.dataDir)).filter((name) => !name.endsWith('.json'))).toEqual([
        url.split('/').pop(),
      ])
    })

    it('answers 400 to an unsupported algorithm and creates nothing', async () => {
      const before = await readdir(ctx.server.dataDir)
      const res = await fetch(ctx.server.url, {
        method: 'POST',
        headers: { ...TUS, ...OCTETS, 'Upload-Length': '10', 'Upload-Checksum': 'whirlpool AAAA' },
        body: 'hello',
      })
      expect(res.status).toBe(400)
      expect(await readdir(ctx.server.dataDir)).toEqual(before)
    })
  })

  describe('checksum-trailer', () => {
    const chunked = (url: string, body: string, trailer: Record<string, string> | undefined) =>
      rawRequest(url, {
        method: 'PATCH',
        headers: {
          ...TUS,
          ...OCTETS,
          'Upload-Offset': '0',
          'Transfer-Encoding': 'chunked',
          Trailer: 'Upload-Checksum',
        },
        body,
        trailers: trailer,
      })

    it('appends a chunk whose checksum, sent as a trailer after the body, matches', async () => {
      const url = await create(ctx.server, { 'Upload-Length': '11' })
      const res = await chunked(url, 'hello world', {
        'Upload-Checksum': `sha1 ${sum('sha1', 'hello world')}`,
      })
      expect(res.status).toBe(204)
      expect(res.headers['upload-offset']).toBe('11')
    })

    it('answers 460 to a mismatching trailer checksum and discards the chunk', async () => {
      const url = await create(ctx.server, { 'Upload-Length': '11' })
      const res = await chunked(url, 'hello world', {
        'Upload-Checksum': `crc32 ${sum('crc32', 'hello worlD')}`,
      })
      expect(res.status).toBe(460)
      expect((await head(url)).headers.get('upload-offset')).toBe('0')
    })

    it('answers 400 to a trailer with an unsupported algorithm, and when the announced trailer never comes', async () => {
      const url = await create(ctx.server, { 'Upload-Length': '11' })
      expect((await chunked(url, 'hello world', { 'Upload-Checksum': 'crc64 AAAAAAAAAAA=' })).status).toBe(
        400,
      )
      expect((await chunked(url, 'hello world', undefined)).status).toBe(400)
      expect((await head(url)).headers.get('upload-offset')).toBe('0')
    })
  })
})
