import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { startExampleApp } from '../../../test-support/example-app.js'
import { uploadCutAndResumed } from '../../../test-support/resumable-upload.js'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-example-embed-fastify-'))
afterAll(() => rm(dataDir, { recursive: true, force: true }))

describe('examples/embed-fastify', async () => {
  const app = await startExampleApp(exampleDir, 'app.mjs', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' })

  it('takes a cut upload, resumes it and serves the download, all through the app port', async () => {
    const data = bytes(24 * 1024 * 1024, 37)
    const upload = await uploadCutAndResumed(`${app.origin}/uploads`, data, {
      metadata: { filename: 'bird.jpg' },
    })
    // The upload URL keeps the mount path (Tusk reads the raw request Fastify passes through).
    expect(upload.url.startsWith(`${app.origin}/uploads/`)).toBe(true)
    expect(upload.offsetAfterCut).toBeGreaterThan(0)
    expect(upload.offsetAfterCut).toBeLessThan(data.length)
    // The second attempt sent only what the server did not have.
    expect(upload.resumedFrom).toBeGreaterThanOrEqual(upload.offsetAfterCut)
    const download = await fetch(upload.url)
    expect(download.status).toBe(200)
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(data))
    // The app's in-process event saw it finish.
    const finished = await (await fetch(`${app.origin}/api/uploads`)).json()
    expect(finished).toEqual([{ id: upload.url.split('/').pop(), size: data.length, filename: 'bird.jpg' }])
  })

  it("leaves the app's own routes, its body parser and its 404 untouched", async () => {
    const home = await fetch(`${app.origin}/`)
    expect(home.status).toBe(200)
    expect(await home.text()).toBe('my app: upload to /uploads (tus 1.0.0)\n')
    expect(await (await fetch(`${app.origin}/health`)).json()).toEqual({ ok: true })
    const echo = await fetch(`${app.origin}/api/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ note: 'hi' }),
    })
    expect(await echo.json()).toEqual({ youSent: { note: 'hi' } })
    const missing = await fetch(`${app.origin}/nope`)
    expect(missing.status).toBe(404)
    // Fastify's own not-found answer, not Tusk's.
    expect(await missing.json()).toMatchObject({ message: 'Route GET:/nope not found' })
  })

  it("leaves upload bodies to Tusk: a PATCH of JSON gets Tusk's 415 and the upload stays at 0", async () => {
    const created = await fetch(`${app.origin}/uploads`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '7' },
    })
    expect(created.status).toBe(201)
    const url = new URL(created.headers.get('location') as string, app.origin).href
    const json = await fetch(url, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/json' },
      body: '{"a":1}',
    })
    expect(json.status).toBe(415)
    // Tusk's answer (its tus headers), not a Fastify error.
    expect(json.headers.get('tus-resumable')).toBe('1.0.0')
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    expect(head.headers.get('upload-offset')).toBe('0')
  })

  it('stops on SIGTERM with exit status 0', async () => {
    expect(await app.stop()).toBe(0)
  })
})
