import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { startExampleApp } from '../../../test-support/example-app.js'
import { uploadCutAndResumed } from '../../../test-support/resumable-upload.js'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-example-embed-express-'))
afterAll(() => rm(dataDir, { recursive: true, force: true }))

describe('examples/embed-express', async () => {
  const app = await startExampleApp(exampleDir, 'app.mjs', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' })

  it('takes a cut upload, resumes it and serves the download, all through the app port', async () => {
    const data = bytes(24 * 1024 * 1024, 37)
    const upload = await uploadCutAndResumed(`${app.origin}/uploads`, data, {
      metadata: { filename: 'dog.jpg' },
    })
    // The upload URL keeps the mount path (Tusk reads Express's originalUrl).
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
    expect(finished).toEqual([{ id: upload.url.split('/').pop(), size: data.length, filename: 'dog.jpg' }])
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
    // Express's own not-found page, not Tusk's.
    expect(await missing.text()).toContain('Cannot GET /nope')
  })

  it('stops on SIGTERM with exit status 0', async () => {
    expect(await app.stop()).toBe(0)
  })
})
