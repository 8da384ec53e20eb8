import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../test-support/chromium.js'
// @ts-expect-error: a plain-JS example module
import { serveExample } from '../serve.mjs'

let example: { pageUrl: string; close(): Promise<void> }
let browser: Browser
let dataDir: string

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

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

describe('the browser example page', () => {
  it('uploads a picked file to Tusk across origins and links the finished, byte-identical upload', async () => {
    const page = await browser.newPage()
    await page.goto(example.pageUrl)
    const data = randomBytes(12 * 1024 * 1024 + 321)
    await page.setInputFiles('#file', {
      name: 'photo.bin',
      mimeType: 'application/octet-stream',
      buffer: data,
    })
    const link = page.locator('#result')
    await link.waitFor({ timeout: 60_000 })
    const url = await link.getAttribute('href')
    const download = Buffer.from(await (await fetch(String(url))).arrayBuffer())
    expect(sha256(download)).toBe(sha256(data))
    await page.close()
  })
})
