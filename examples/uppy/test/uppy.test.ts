import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { createLogger, type TuskServer } from '@tusk/server'
import getPort from 'get-port'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../../test-support/bytes.js'
import { launchChromium } from '../../../test-support/chromium.js'
import { startTusk as startTestTusk } from '../../../test-support/tusk.js'
import { until } from '../../../test-support/until.js'
// @ts-expect-error: a plain-JS example module
import { servePage } from '../serve.mjs'

interface RequestLine {
  msg: string
  method: string
  status: number
  uploadId?: string
  bytesIn: number
}

const TUS = { 'Tus-Resumable': '1.0.0' }
const SIZE = 6 * 1024 * 1024 + 123

let dataDir: string
let tuskPort: number
let tusk: TuskServer
let page: { url: string; close(): Promise<void> }
let browser: Browser
/** The request lines of each Tusk instance (before and after the restart), as logged. */
const instances: RequestLine[][] = []

/** A Tusk instance on the same port and data directory, logging JSON request lines into memory. */
async function startTusk(): Promise<TuskServer> {
  const lines: RequestLine[] = []
  instances.push(lines)
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (line) lines.push(JSON.parse(line))
      }
      done()
    },
  })
  // shutdownTimeout 0: close() cuts the uploads in flight at once, like a crash of the process.
  const config = { port: tuskPort, dataDir, logLevel: 'info', shutdownTimeout: 0 } as const
  return startTestTusk(config, { logger: createLogger(config, sink) })
}

async function offset(uploadId: string): Promise<number> {
  const response = await fetch(`${tusk.url}/${uploadId}`, { method: 'HEAD', headers: TUS })
  return Number(response.headers.get('upload-offset'))
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-example-uppy-'))
  tuskPort = await getPort()
  tusk = await startTusk()
  page = await servePage({ port: 0, endpoint: tusk.url })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await page?.close()
  await tusk?.close()
  await rm(dataDir, { recursive: true, force: true })
})

/** Slows the page's uploads (Chromium's network emulation) so that the restart lands mid-upload. */
async function throttleUploads(tab: Page, bytesPerSecond: number) {
  const cdp = await tab.context().newCDPSession(tab)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  })
}

describe('the Uppy example', () => {
  it('uploads three files from another origin, survives a Tusk restart mid-upload by resuming, and ends byte-exact', async () => {
    const tab = await browser.newPage()
    const pageErrors: string[] = []
    tab.on('pageerror', (error) => pageErrors.push(error.message))
    await tab.goto(page.url)
    await tab.locator('.uppy-Dashboard').waitFor()
    expect(new URL(page.url).origin).not.toBe(new URL(tusk.url).origin)
    await throttleUploads(tab, 2 * 1024 * 1024)

    // Files on disk: Chromium reads them itself (handing it buffers through the protocol is slow).
    const files = await Promise.all(
      ['a.bin', 'b.bin', 'c.bin'].map(async (name) => {
        const buffer = randomBytes(SIZE)
        await writeFile(path.join(dataDir, name), buffer)
        return { name, buffer }
      }),
    )
    await tab
      .locator('input.uppy-Dashboard-input')
      .first()
      .setInputFiles(files.map((f) => path.join(dataDir, f.name)))
    await tab.locator('.uppy-StatusBar-actionBtn--upload').click()

    // All three uploads have started on the first instance and none has finished: restart Tusk.
    const ids = await until(
      async () => {
        const created = instances[0]?.filter(
          (l) => l.msg === 'request' && l.method === 'POST' && l.status === 201,
        )
        return created?.length === 3 ? created.map((l) => String(l.uploadId)) : undefined
      },
      60_000,
      'three uploads created',
    )
    const before = await until(
      async () => {
        const offsets = await Promise.all(ids.map(offset))
        return offsets.every((o) => o > 0) ? offsets : undefined
      },
      60_000,
      'every upload part-way',
    )
    expect(before.every((o) => o < SIZE)).toBe(true)
    await tusk.close()
    tusk = await startTusk()

    await tab.locator('#done li').nth(2).waitFor({ timeout: 90_000 })
    const links = await tab
      .locator('#done a')
      .evaluateAll((as) => as.map((a) => ({ name: a.textContent, href: (a as HTMLAnchorElement).href })))

    // Resumed, not restarted: no upload was created after the restart, and the second instance
    // received at most what was missing (plus request headers), not whole files again.
    const after = instances[1] ?? []
    expect(after.filter((l) => l.msg === 'request' && l.method === 'POST')).toEqual([])
    ids.forEach((id, i) => {
      const received = after
        .filter((l) => l.msg === 'request' && l.method === 'PATCH' && l.uploadId === id)
        .reduce((sum, l) => sum + l.bytesIn, 0)
      expect(received).toBeGreaterThan(0)
      expect(received).toBeLessThanOrEqual(SIZE - (before[i] ?? 0) + 64 * 1024)
    })

    // Byte-exact: each finished upload, downloaded from Tusk, is the file that was picked.
    expect(links.map((l) => l.name).sort()).toEqual(['a.bin', 'b.bin', 'c.bin'])
    for (const link of links) {
      expect(ids).toContain(link.href.split('/').pop())
      const stored = new Uint8Array(await (await fetch(link.href)).arrayBuffer())
      const source = files.find((f) => f.name === link.name)?.buffer
      expect(sha256(stored)).toBe(sha256(source ?? Buffer.alloc(0)))
    }
    expect(pageErrors).toEqual([])
    await tab.close()
  }, 120_000)
})
