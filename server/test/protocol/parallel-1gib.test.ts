import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'
import { create, head, OCTETS, rawRequest, TUS } from './helpers.js'

const MiB = 2 ** 20
const TOTAL = 1024 * MiB
const PARTS = 4
const PART = TOTAL / PARTS

// Deterministic data without holding it: block k is a random 1 MiB block stamped with k.
const base = randomBytes(MiB)
function block(k: number): Buffer {
  const out = Buffer.from(base)
  out.writeBigUInt64BE(BigInt(k))
  return out
}
function blocks(first: number, count: number): Readable {
  return Readable.from(
    (function* () {
      for (let k = first; k < first + count; k++) yield block(k)
    })(),
  )
}

function sha256OfDownload(url: string): Promise<{ status: number; digest: string; size: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const hash = createHash('sha256')
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          hash.update(chunk)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, digest: hash.digest('hex'), size }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

describe('parallel upload of 1 GiB through concatenation', () => {
  const ctx = useTusk()

  it('ends byte-identical when uploaded as 4 parallel partial uploads and concatenated', {
    timeout: 300_000,
  }, async () => {
    const expected = createHash('sha256')
    for (let k = 0; k < TOTAL / MiB; k++) expected.update(block(k))

    const partials = await Promise.all(
      Array.from({ length: PARTS }, async (_, p) => {
        const url = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': String(PART) })
        const res = await rawRequest(url, {
          method: 'PATCH',
          headers: { ...TUS, ...OCTETS, 'Upload-Offset': '0', 'Content-Length': String(PART) },
          body: blocks((p * PART) / MiB, PART / MiB),
        })
        expect(res.status).toBe(204)
        expect(res.headers['upload-offset']).toBe(String(PART))
        return url
      }),
    )
    const final = await fetch(ctx.server.url, {
      method: 'POST',
      headers: { ...TUS, 'Upload-Concat': `final;${partials.map((u) => new URL(u).pathname).join(' ')}` },
    })
    expect(final.status).toBe(201)
    const url = new URL(final.headers.get('location') as string, ctx.server.url).href
    const info = await head(url)
    expect(info.headers.get('upload-offset')).toBe(String(TOTAL))
    expect(info.headers.get('upload-length')).toBe(String(TOTAL))

    const got = await sha256OfDownload(url)
    expect(got.status).toBe(200)
    expect(got.size).toBe(TOTAL)
    expect(got.digest).toBe(expected.digest('hex'))
  })
})
