#!/usr/bin/env node
// Serves the browser example: the page, its script and the SDK's browser bundle on one port, and a
// Tusk server on another (a different origin, so the page exercises CORS like a real deployment).
//   npm start -w examples/browser            page on http://127.0.0.1:8080, Tusk on :1080 (or free ports
//                                            when those are taken, e.g. by the README's `npm start`)
//   PAGE_PORT=8081 TUSK_PORT=1081 npm start -w examples/browser    exactly these ports
//   PAGE_PORT=0 TUSK_PORT=0 node serve.mjs    free ports (used by the example's test)
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import { startServer } from '@tusk/server'
import { choosePort, listenOrExplain } from './ports.mjs'

const here = new URL('.', import.meta.url)
const require = createRequire(import.meta.url)
const bundlePath = require.resolve('@tusk/client/browser-bundle')

const files = async () => ({
  '/': ['text/html; charset=utf-8', await readFile(new URL('index.html', here))],
  '/app.js': ['text/javascript; charset=utf-8', await readFile(new URL('app.js', here))],
  '/style.css': ['text/css; charset=utf-8', await readFile(new URL('style.css', here))],
  '/favicon.svg': ['image/svg+xml', await readFile(new URL('favicon.svg', here))],
  '/tusk.js': ['text/javascript; charset=utf-8', await readFile(bundlePath)],
})

export async function serveExample({ pagePort = 8080, tuskPort = 1080, dataDir = './data' } = {}) {
  const tusk = await listenOrExplain('TUSK_PORT', tuskPort, () =>
    startServer({ port: tuskPort, dataDir, logLevel: 'warn' }),
  )
  const served = await files()
  const page = http.createServer((req, res) => {
    const file = served[(req.url ?? '/').split('?')[0]]
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-cache' }).end(file[1])
  })
  try {
    await listenOrExplain(
      'PAGE_PORT',
      pagePort,
      () =>
        new Promise((resolve, reject) => {
          page.once('error', reject)
          page.listen(pagePort, '127.0.0.1', resolve)
        }),
    )
  } catch (error) {
    await tusk.close()
    throw error
  }
  const pageUrl = `http://127.0.0.1:${page.address().port}/?endpoint=${encodeURIComponent(tusk.url)}`
  return {
    pageUrl,
    tusk,
    async close() {
      await new Promise((resolve) => page.close(resolve))
      await tusk.close()
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const example = await serveExample({
      pagePort: await choosePort('PAGE_PORT', 8080),
      tuskPort: await choosePort('TUSK_PORT', 1080),
    })
    console.log(`Open ${example.pageUrl}  (uploads go to ${example.tusk.url})`)
    const stop = () => example.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  } catch (error) {
    console.error(`examples/browser: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
}
