import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Upload } from '@tus/utils'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { redisUrl, s3Bucket, s3Settings } from '../../../test-support/services.js'
import { useTusk } from '../../../test-support/tusk.js'
import type { TuskServer } from '../../src/index.js'
import { InProcessLocker } from '../../src/lockers/memory-locker.js'
import { createFileStore } from '../../src/stores/file-store.js'
import { createUploadCore } from '../../src/upload/core.js'
import { create, download, head, patch, TUS } from './helpers.js'

// tus concatenation-unfinished: a final upload created over partial uploads still in progress. It has
// its length at once and no Upload-Offset until assembled; it is assembled (and finished: event,
// download) by the request that finishes its last partial, with no polling, on both stores.

const concatFinal = (server: TuskServer, value: string) =>
  fetch(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Concat': value } })

const stores = [
  ['file store', () => ({})],
  ['S3 store', () => ({ store: 's3' as const, ...s3Settings(), s3Bucket: s3Bucket(), redisUrl: redisUrl() })],
] as const

describe.each(stores)('concatenation-unfinished, %s', (_name, config) => {
  const finished: string[] = []
  const ctx = useTusk(config(), { events: { finished: (upload) => void finished.push(upload.id) } })
  const idOf = (url: string) => url.split('/').pop() as string

  it('announces concatenation-unfinished in Tus-Extension', async () => {
    const res = await fetch(ctx.server.url, { method: 'OPTIONS', headers: TUS })
    expect(res.headers.get('tus-extension')?.split(',')).toContain('concatenation-unfinished')
  })

  it('creates a final upload before its partials finish, and finishes it byte-exact when the last one does', async () => {
    // Over 5 MiB, so that S3 copies a part server-side as well as uploading the small rest.
    const a = bytes(5 * 2 ** 20 + 3, 41)
    const b = bytes(70_000, 42)
    const pa = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': String(a.length) })
    const pb = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': String(b.length) })
    expect((await patch(pa, 0, a.subarray(0, 1_000))).status).toBe(204)
    const value = `final;${new URL(pa).pathname} ${new URL(pb).pathname} ${new URL(pa).pathname}`
    const created = await concatFinal(ctx.server, value)
    expect(created.status).toBe(201)
    expect(created.headers.get('upload-offset')).toBeNull()
    const final = new URL(created.headers.get('location') as string, ctx.server.url).href
    const waiting = await head(final)
    expect(waiting.status).toBe(200)
    expect(waiting.headers.get('upload-length')).toBe(String(2 * a.length + b.length))
    expect(waiting.headers.get('upload-offset')).toBeNull()
    expect(waiting.headers.get('upload-concat')).toBe(value)
    expect((await fetch(final)).status).toBe(404)

    expect((await patch(pa, 1_000, a.subarray(1_000))).status).toBe(204)
    // One partial finished, one not: still waiting, not finished.
    expect((await head(final)).headers.get('upload-offset')).toBeNull()
    expect(finished).not.toContain(idOf(final))
    expect((await patch(pb, 0, b)).status).toBe(204)
    // Assembled by that PATCH, before it was answered.
    expect(finished.filter((id) => id === idOf(final))).toHaveLength(1)
    const done = await head(final)
    expect(done.headers.get('upload-offset')).toBe(String(2 * a.length + b.length))
    expect(done.headers.get('upload-length')).toBe(String(2 * a.length + b.length))
    expect((await download(final)).equals(Buffer.concat([a, b, a]))).toBe(true)
  })

  it('mixes finished and unfinished partials', async () => {
    const a = Buffer.from('finished ')
    const b = Buffer.from('and then some')
    const pa = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': String(a.length) })
    expect((await patch(pa, 0, a)).status).toBe(204)
    const pb = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': String(b.length) })
    const created = await concatFinal(ctx.server, `final;${pa} ${pb}`)
    expect(created.status).toBe(201)
    const final = new URL(created.headers.get('location') as string, ctx.server.url).href
    expect((await head(final)).headers.get('upload-offset')).toBeNull()
    expect((await patch(pb, 0, b)).status).toBe(204)
    expect((await download(final)).toString()).toBe('finished and then some')
  })

  it('refuses an unfinished partial whose length is still deferred (400), as the final needs its length', async () => {
    const pa = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Defer-Length': '1' })
    const res = await concatFinal(ctx.server, `final;${pa}`)
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/no length yet/)
  })

  it('is assembled by a later HEAD when the request finishing the last partial did not assemble it', async () => {
    const pa = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '4' })
    const created = await concatFinal(ctx.server, `final;${pa}`)
    const final = new URL(created.headers.get('location') as string, ctx.server.url).href
    // As if the instance finishing the partial died before assembling: its waiting entry is lost.
    const pending = ctx.server.store.pendingConcatenations
    if (!pending) return expect.unreachable('the store keeps no pending concatenations')
    expect(await pending.waitingFor(idOf(pa))).toEqual([idOf(final)])
    await pending.remove(idOf(pa), idOf(final))
    expect((await patch(pa, 0, 'abcd')).status).toBe(204)
    expect(finished).not.toContain(idOf(final))
    const res = await head(final)
    expect(res.headers.get('upload-offset')).toBe('4')
    expect(finished).toContain(idOf(final))
    expect((await download(final)).toString()).toBe('abcd')
  })

  it('leaves no waiting entry behind when a waiting final, or a partial it waits for, is terminated', async () => {
    const pending = ctx.server.store.pendingConcatenations
    if (!pending) return expect.unreachable('the store keeps no pending concatenations')
    const pa = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '2' })
    const final = new URL(
      (await concatFinal(ctx.server, `final;${pa}`)).headers.get('location') as string,
      ctx.server.url,
    ).href
    expect(await pending.waitingFor(idOf(pa))).toEqual([idOf(final)])
    expect((await fetch(final, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect(await pending.waitingFor(idOf(pa))).toEqual([])
    expect((await patch(pa, 0, 'ok')).status).toBe(204)
    expect((await head(final)).status).toBe(404)

    const pb = await create(ctx.server, { 'Upload-Concat': 'partial', 'Upload-Length': '2' })
    const second = new URL(
      (await concatFinal(ctx.server, `final;${pb}`)).headers.get('location') as string,
      ctx.server.url,
    ).href
    expect((await fetch(pb, { method: 'DELETE', headers: TUS })).status).toBe(204)
    expect(await pending.waitingFor(idOf(pb))).toEqual([])
    // The final can never be assembled now: it stays unfinished (no offset) until it expires.
    const stuck = await head(second)
    expect(stuck.status).toBe(200)
    expect(stuck.headers.get('upload-offset')).toBeNull()
  })
})

describe('a store that keeps no pending concatenations', () => {
  let dataDir = ''
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('refuses a final upload over an unfinished partial (400 ERR_INVALID_CONCAT)', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-concat-'))
    const { pendingConcatenations: _dropped, ...store } = createFileStore({ dataDir, uploadExpiry: 0 })
    const core = createUploadCore({ store, locker: new InProcessLocker(), maxSize: 0 })
    expect(core.capabilities.concatenateUnfinished).toBe(false)
    const request = { method: 'POST', url: '/files', remoteAddress: undefined, headers: {} }
    const opCtx = { request, signal: new AbortController().signal }
    const partial = await core.create({ size: 3, metadata: undefined, concat: 'partial' }, opCtx)
    expect(partial).toBeInstanceOf(Upload)
    await expect(
      core.concatenate(
        { partialIds: [partial.id], metadata: undefined, concat: `final;${partial.id}` },
        opCtx,
      ),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_CONCAT', status: 400 })
  })
})
