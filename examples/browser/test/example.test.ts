import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../test-support/chromium.js'
// @ts-expect-error: a plain-JS example module
import { serveExample } from '../serve.mjs'

let example: { pageUrl: string; tusk: { url: string }; close(): Promise<void> }
let browser: Browser
let dataDir: string
/** Written by the test for a person to look at (the test checks the page, not pixels). */
const SCREENSHOT = path.join(tmpdir(), 'tusk-browser-example.png')

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-example-browser-'))
  example = await serveExample({ pagePort: 0, tuskPort: 0, dataDir })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await example?.close()
  await rm(dataDir, { recursive: true, force: true })
})

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/** A file of random bytes on disk: Chromium reads it itself (buffers through the protocol are slow). */
async function randomFile(name: string, size: number): Promise<{ file: string; data: Buffer }> {
  const data = randomBytes(size)
  const file = path.join(dataDir, name)
  await writeFile(file, data)
  return { file, data }
}

/** A page of the example that records every console error, page error and failed request. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
  })
  await page.goto(example.pageUrl)
  return { page, problems }
}

/** Slows the page's uploads (Chromium's network emulation) so that pausing lands mid-upload. */
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

describe('the browser example page', () => {
  it('renders a drop zone, empty upload lists and a favicon, without console errors', async () => {
    const { page, problems } = await openPage()
    await expect(page.locator('h1').textContent()).resolves.toBe('Resumable uploads with Tusk')
    expect(await page.locator('#drop').isVisible()).toBe(true)
    expect(await page.locator('#drop').textContent()).toContain('Drop files here')
    expect(await page.locator('#file').getAttribute('multiple')).not.toBeNull()
    expect(await page.locator('#endpoint').textContent()).toBe(example.tusk.url)
    expect(await page.locator('#idle').isVisible()).toBe(true)
    expect(await page.locator('#none-finished').isVisible()).toBe(true)
    const favicon = await page.evaluate(() =>
      fetch('/favicon.svg').then((r) => r.headers.get('content-type')),
    )
    expect(favicon).toBe('image/svg+xml')
    expect(problems).toEqual([])
    await page.close()
  })

  it('uploads a dropped-in file across origins, lists it with its size in MiB and a link to identical bytes', async () => {
    const { page, problems } = await openPage()
    const { file, data } = await randomFile('photo.bin', 12 * 1024 * 1024 + 321)
    await page.setInputFiles('#file', file)
    const link = page.locator('#finished a.download')
    await link.waitFor({ timeout: 60_000 })
    expect(await link.textContent()).toBe('photo.bin')
    expect(await page.locator('#finished .size').textContent()).toBe('12.0 MiB')
    expect(await page.locator('#uploads li').count()).toBe(0)
    expect(await page.locator('#idle').isVisible()).toBe(true)
    expect(await page.locator('#none-finished').isVisible()).toBe(false)
    const url = String(await link.getAttribute('href'))
    expect(url.startsWith(example.tusk.url)).toBe(true)
    const download = new Uint8Array(await (await fetch(url)).arrayBuffer())
    expect(sha256(download)).toBe(sha256(data))
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })

  it('pauses, resumes and cancels each upload on its own, with progress in one unit system', async () => {
    const { page, problems } = await openPage()
    await throttleUploads(page, 4 * 1024 * 1024)
    const keep = await randomFile('keep.bin', 10 * 1024 * 1024)
    const drop = await randomFile('drop.bin', 10 * 1024 * 1024)
    await page.setInputFiles('#file', [keep.file, drop.file])
    const rows = page.locator('#uploads li')
    await expect.poll(() => rows.count()).toBe(2)
    const keepRow = rows.filter({ hasText: 'keep.bin' })
    const dropRow = rows.filter({ hasText: 'drop.bin' })
    await expect
      .poll(() => keepRow.locator('.status').textContent(), { timeout: 30_000 })
      .toMatch(/^[1-9][\d.]* MiB of 10\.0 MiB/)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-uploading.png'), fullPage: true })

    await keepRow.locator('button.pause').click()
    await expect
      .poll(() => keepRow.locator('.status').textContent())
      .toBe('Paused: Tusk keeps what it received.')
    expect(await keepRow.locator('button.resume').isVisible()).toBe(true)
    const paused = await keepRow.locator('progress').evaluate((p) => (p as HTMLProgressElement).value)
    expect(paused).toBeLessThan(1)

    await dropRow.locator('button.cancel').click()
    await expect.poll(() => rows.count()).toBe(1)

    await keepRow.locator('button.resume').click()
    const link = page.locator('#finished a.download', { hasText: 'keep.bin' })
    await link.waitFor({ timeout: 60_000 })
    expect(await page.locator('#finished li', { hasText: 'drop.bin' }).count()).toBe(0)
    const stored = new Uint8Array(await (await fetch(String(await link.getAttribute('href')))).arrayBuffer())
    expect(sha256(stored)).toBe(sha256(keep.data))
    expect(problems).toEqual([])
    await page.close()
  })
})
