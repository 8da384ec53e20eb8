import { readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../test-support/chromium.js'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { sha256Remote } from './helpers/files.js'
import { announced } from './helpers/tusk-server.js'

const BUNDLE = fileURLToPath(new URL('../dist/browser/tusk.js', import.meta.url))

// A minimal page: loads the browser bundle as an ES module and exposes a test entry point that
// uploads a Blob of pseudo-random bytes and reports the result plus the bytes' SHA-256.
const PAGE = `<!doctype html><meta charset="utf-8"><title>tusk browser test</title>
<script type="module">
  import { upload } from '/tusk.js'
  window.uploadBlob = async (endpoint, size, options) => {
    const bytes = new Uint8Array(size)
    for (let i = 0, x = 12345; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24 }
    const blob = new Blob([bytes], { type: 'application/octet-stream' })
    const progress = []
    const handle = upload(blob, { endpoint, ...options, onProgress: (p) => progress.push(p) })
    const result = await handle.start().done
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    const sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('')
    return { result: result.ok ? result : { ok: false, error: { code: result.error.code, message: result.error.message } }, sha256, progress }
  }
  window.ready = true
</script>`

let tusk: TestTusk
let site: http.Server
let siteUrl: string
let browser: Browser
let page: Page

beforeAll(async () => {
  tusk = await startTusk()
  const bundle = await readFile(BUNDLE)
  site = http.createServer((req, res) => {
    if (req.url === '/tusk.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle)
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE)
    }
  })
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(siteUrl)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
})

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()))
  await tusk?.close()
})

interface PageOutcome {
  result: {
    ok: boolean
    url: string
    size: number
    plan: { checksum: string | null; parallelUploads: number }
  }
  sha256: string
  progress: Array<{ bytesSent: number; bytesAcknowledged: number; bytesTotal: number }>
}

const uploadFromPage = (size: number, options: Record<string, unknown>, endpoint = tusk.url) =>
  page.evaluate(
    ([endpoint, n, opts]) =>
      (
        window as unknown as { uploadBlob: (e: string, n: number, o: unknown) => Promise<unknown> }
      ).uploadBlob(endpoint as string, n as number, opts),
    [endpoint, size, options] as const,
  ) as Promise<PageOutcome>

describe('browser bundle in real Chromium', () => {
  it('uploads a Blob cross-origin to Tusk; the stored bytes are identical', async () => {
    const size = 3 * 1024 * 1024 + 17
    const { result, sha256, progress } = await uploadFromPage(size, { chunkSize: 1024 * 1024 })
    expect(result.ok).toBe(true)
    expect(result.size).toBe(size)
    expect(await sha256Remote(result.url)).toBe(sha256)
    expect(progress.at(-1)).toMatchObject({ bytesSent: size, bytesAcknowledged: size, bytesTotal: size })
  })

  it('discovers what Tusk announces from a cross-origin page (OPTIONS must pass CORS)', async () => {
    const caps = await announced(tusk.url)
    const { result, sha256 } = await uploadFromPage(1024 * 1024, {
      chunkSize: 256 * 1024,
      checksum: 'sha256',
    })
    expect(result.ok).toBe(true)
    expect(result.plan.checksum).toBe(
      caps.extensions.includes('checksum') && caps.checksums.includes('sha256') ? 'sha256' : null,
    )
    expect(await sha256Remote(result.url)).toBe(sha256)
  })

  it('computes per-chunk checksums with WebCrypto that the server accepts', async () => {
    const caps = await announced(tusk.url)
    const proxy = await FaultProxy.start(tusk.url)
    proxy.addCors = true
    try {
      const { result, sha256 } = await uploadFromPage(
        1024 * 1024,
        { chunkSize: 256 * 1024, checksum: 'sha256' },
        proxy.endpoint,
      )
      expect(result.ok).toBe(true)
      const announcedSha256 = caps.extensions.includes('checksum') && caps.checksums.includes('sha256')
      expect(result.plan.checksum).toBe(announcedSha256 ? 'sha256' : null)
      const withBody = proxy.requests.filter(
        (r) => r.method === 'PATCH' || (r.method === 'POST' && r.headers['content-length']),
      )
      expect(withBody.length).toBeGreaterThan(0)
      for (const request of withBody) {
        expect(request.headers['upload-checksum'] !== undefined).toBe(announcedSha256)
        expect(request.status).not.toBe(460)
      }
      expect(await sha256Remote(result.url)).toBe(sha256)
    } finally {
      await proxy.close()
    }
  })
})
