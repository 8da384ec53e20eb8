import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'
import { create, head, OCTETS, patch, TUS } from './helpers.js'

describe('tus core: strict rules @tus/server alone gets wrong', () => {
  const ctx = useTusk()

  it('answers an unsupported Tus-Resumable with 412 and Tus-Version, without processing the request', async () => {
    const res = await fetch(ctx.server.url, {
      method: 'POST',
      headers: { 'Tus-Resumable': '0.2.2', 'Upload-Length': '10' },
    })
    expect(res.status).toBe(412)
    expect(res.headers.get('tus-version')).toBe('1.0.0')
    expect(res.headers.get('location')).toBeNull()
    const url = await create(ctx.server, { 'Upload-Length': '3' })
    const refused = await fetch(url, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '2.0.0', ...OCTETS, 'Upload-Offset': '0' },
      body: 'abc',
    })
    expect(refused.status).toBe(412)
    expect((await head(url)).headers.get('upload-offset')).toBe('0')
  })

  it('interprets X-HTTP-Method-Override as the request method and ignores the actual one', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '3' })
    const patched = await fetch(url, {
      method: 'POST',
      headers: { ...TUS, ...OCTETS, 'X-HTTP-Method-Override': 'PATCH', 'Upload-Offset': '0' },
      body: 'abc',
    })
    expect(patched.status).toBe(204)
    expect(patched.headers.get('upload-offset')).toBe('3')
    const headed = await fetch(url, { method: 'POST', headers: { ...TUS, 'X-HTTP-Method-Override': 'HEAD' } })
    expect(headed.status).toBe(200)
    expect(headed.headers.get('upload-offset')).toBe('3')
    const deleted = await fetch(url, {
      method: 'POST',
      headers: { ...TUS, 'X-HTTP-Method-Override': 'DELETE' },
    })
    expect(deleted.status).toBe(204)
    expect((await head(url)).status).toBe(404)
  })

  it('returns Upload-Metadata on HEAD exactly as the client sent it, also for values that are not UTF-8', async () => {
    // 0xff 0xfe 0x00 0x80 is not UTF-8; "aGk=" is "hi"; a key without value is allowed.
    const metadata = `filename aGk=,blob ${Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('base64')},flag`
    const url = await create(ctx.server, { 'Upload-Length': '0', 'Upload-Metadata': metadata })
    expect((await head(url)).headers.get('upload-metadata')).toBe(metadata)
  })

  it('includes Upload-Offset and Upload-Length on HEAD and forbids caching', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '5' })
    const res = await head(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('upload-offset')).toBe('0')
    expect(res.headers.get('upload-length')).toBe('5')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('tus-resumable')).toBe('1.0.0')
  })

  it('sets Upload-Defer-Length: 1 on HEAD while the length is deferred', async () => {
    const url = await create(ctx.server, { 'Upload-Defer-Length': '1' })
    const res = await head(url)
    expect(res.headers.get('upload-defer-length')).toBe('1')
    expect(res.headers.get('upload-length')).toBeNull()
  })

  it('answers OPTIONS with Tus-Version, Tus-Max-Size and the extensions of the store', async () => {
    const res = await fetch(ctx.server.url, { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('tus-version')).toBe('1.0.0')
    expect(res.headers.get('tus-max-size')).toBe(String(ctx.server.config.maxSize))
    expect(res.headers.get('tus-extension')?.split(',')).toEqual([
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
      'checksum',
      'checksum-trailer',
      'concatenation',
      'concatenation-unfinished',
    ])
  })

  it('answers a PATCH whose offset differs from the upload offset with 409 and changes nothing', async () => {
    const url = await create(ctx.server, { 'Upload-Length': '6' })
    expect((await patch(url, 0, 'abc')).status).toBe(204)
    expect((await patch(url, 1, 'xyz')).status).toBe(409)
    expect((await head(url)).headers.get('upload-offset')).toBe('3')
  })
})

describe('tus expiration on HEAD', () => {
  const ctx = useTusk({ uploadExpiry: 200, cleanupInterval: 0 })

  it('answers 410 for an expired unfinished upload but keeps serving a finished one', async () => {
    const unfinished = await create(ctx.server, { 'Upload-Length': '5' })
    const finished = await create(ctx.server, { 'Upload-Length': '2' })
    expect((await patch(finished, 0, 'ok')).status).toBe(204)
    expect((await head(unfinished)).headers.get('upload-expires')).not.toBeNull()
    await sleep(300)
    expect((await head(unfinished)).status).toBe(410)
    const res = await head(finished)
    expect(res.status).toBe(200)
    expect(res.headers.get('upload-offset')).toBe('2')
    expect(res.headers.get('upload-expires')).toBeNull()
  })
})
