import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { mintUploadToken } from '@tusk/server'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { launchChromium } from '../../../test-support/chromium.js'
// @ts-expect-error: a plain-JS example module
import { serveExample } from '../serve.mjs'

interface Example {
  pageUrl: string
  tusk: { url: string }
  jwt: { key: string; issuer: string; audience: string }
  close(): Promise<void>
}

const TUS = { 'Tus-Resumable': '1.0.0' }
/** Written by the test for a person to look at (the test checks the page, not pixels). */
const SCREENSHOT = path.join(tmpdir(), 'tusk-auth-example.png')

let example: Example
let browser: Browser
let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-example-auth-'))
  example = await serveExample({ pagePort: 0, tuskPort: 0, dataDir })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await example?.close()
  await rm(dataDir, { recursive: true, force: true })
})

/**
 * The example's page in a browser context of its own (its own cookies: one user each), recording
 * console errors, page errors and failed requests.
 */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, acceptDownloads: true })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
  })
  await page.goto(example.pageUrl)
  await page.locator('#login:not([hidden]), #who:not([hidden])').waitFor()
  return { page, problems }
}

async function logIn(page: Page, username: string): Promise<void> {
  await page.fill('#username', username)
  await page.click('#login button[type=submit]')
  await page.locator('#who:not([hidden])').waitFor()
  expect(await page.locator('#user').textContent()).toBe(username)
}

/** A file on disk for Chromium to read (buffers through the protocol are slow). */
async function fileOf(name: string, data: Buffer): Promise<string> {
  const file = path.join(dataDir, name)
  await writeFile(file, data)
  return file
}

/** Asks the app server for an upload token the way the page does, with the page's cookies. */
const askForToken = (page: Page) =>
  page.evaluate(async () => {
    const response = await fetch('/api/upload-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    })
    return { status: response.status, body: await response.json() }
  })

/** Slows the page's uploads (Chromium's network emulation) so that progress is seen mid-way. */
async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  })
}

describe('the authentication example', () => {
  let aliceUpload: string

  it('refuses a token without a login (401) and the page says to log in when an upload is tried', async () => {
    const { page, problems } = await openPage()
    expect(await page.locator('#login').isVisible()).toBe(true)
    const answer = await askForToken(page)
    expect(answer).toEqual({ status: 401, body: { error: 'log in first: uploads need a logged-in user' } })

    await page.setInputFiles('#file', await fileOf('anonymous.bin', bytes(1000, 7)))
    const row = page.locator('#uploads li', { hasText: 'anonymous.bin' })
    await expect
      .poll(() => row.locator('.status').textContent(), { timeout: 20_000 })
      .toBe('Upload failed: log in first: uploads need a logged-in user')
    expect(await row.getAttribute('class')).toContain('failed')
    expect(await row.locator('a').count()).toBe(0)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-refused.png'), fullPage: true })
    // The only errors are the refused token requests themselves (Chromium logs every 4xx).
    const tokenEndpoint = new URL('/api/upload-token', example.pageUrl).href
    expect(problems.length).toBeGreaterThan(0)
    for (const problem of problems) {
      expect(problem).toMatch(/^(401 |console: Failed to load resource: .* 401 .*\()/)
      expect(problem).toContain(tokenEndpoint)
    }
    // And Tusk itself is closed to requests without a token.
    const open = await fetch(example.tusk.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '1' } })
    expect(open.status).toBe(401)
    await page.context().close()
  })

  it('logs alice in, uploads with progress through the SDK, and the download link gives the same bytes', async () => {
    const { page, problems } = await openPage()
    await logIn(page, 'alice')
    await throttleUploads(page, 8 * 1024 * 1024)
    const data = bytes(6 * 1024 * 1024 + 321, 42)
    await page.setInputFiles('#file', await fileOf('report.bin', data))
    const row = page.locator('#uploads li', { hasText: 'report.bin' })
    await expect
      .poll(() => row.locator('.status').textContent(), { timeout: 30_000 })
      .toMatch(/^[1-5][\d.]* MiB of 6\.0 MiB$/)

    const link = row.locator('a.download')
    await link.waitFor({ timeout: 60_000 })
    expect(await row.locator('.owner').textContent()).toBe('uploaded by alice')
    expect(await row.locator('.status').textContent()).toBe('6.0 MiB uploaded · Download')
    const href = new URL(String(await link.getAttribute('href')))
    expect(href.origin).toBe(new URL(example.tusk.url).origin)
    expect(href.searchParams.get('token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    aliceUpload = `${href.origin}${href.pathname}`
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // Following the link in the browser (no headers of the page's) downloads the file as it was.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toBe('report.bin')
    const saved = await readFile(String(await download.path()))
    expect(saved.length).toBe(data.length)
    expect(sha256(saved)).toBe(sha256(data))

    // Tusk recorded the metadata the app server put in the token, whatever the client sent.
    const asAlice = await mintUploadToken({ ...example.jwt, owner: 'alice' })
    const head = await fetch(aliceUpload, {
      method: 'HEAD',
      headers: { ...TUS, Authorization: `Bearer ${asAlice}` },
    })
    expect(head.status).toBe(200)
    expect(head.headers.get('upload-offset')).toBe(String(data.length))
    const metadata = Object.fromEntries(
      String(head.headers.get('upload-metadata'))
        .split(',')
        .map((pair) => pair.split(' '))
        .map(([key, value]) => [key, Buffer.from(value ?? '', 'base64').toString()]),
    )
    expect(metadata).toEqual({ uploadedBy: 'alice', filename: 'report.bin' })
    expect(problems).toEqual([])
    await page.context().close()
  })

  it("does not let bob read alice's upload: his token gets 404 on HEAD and his download link 404", async () => {
    expect(aliceUpload).toBeDefined()
    const { page, problems } = await openPage()
    await logIn(page, 'bob')
    const answer = await askForToken(page)
    expect(answer.status).toBe(200)
    const bobs = { ...TUS, Authorization: `Bearer ${answer.body.token}` }
    expect((await fetch(aliceUpload, { method: 'HEAD', headers: bobs })).status).toBe(404)
    // The same answer as for an upload that does not exist: no hint that alice's is there.
    expect(
      (await fetch(`${example.tusk.url}/0123456789abcdef`, { method: 'HEAD', headers: bobs })).status,
    ).toBe(404)
    // A token minted for bob directly (not through the page) is refused the same way.
    const minted = await mintUploadToken({ ...example.jwt, owner: 'bob' })
    const head = await fetch(aliceUpload, {
      method: 'HEAD',
      headers: { ...TUS, Authorization: `Bearer ${minted}` },
    })
    expect(head.status).toBe(404)

    // The app server mints bob a link for any URL, but it names bob, so Tusk does not serve it.
    const { href } = await page.evaluate(
      (upload) => fetch(`/api/download-link?upload=${encodeURIComponent(upload)}`).then((r) => r.json()),
      aliceUpload,
    )
    expect(String(href).startsWith(`${aliceUpload}?token=`)).toBe(true)
    expect((await fetch(href)).status).toBe(404)
    expect(problems).toEqual([])
    await page.context().close()
  })
})
