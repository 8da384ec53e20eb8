#!/usr/bin/env node
// Serves the browser example: the page, its script and the SDK's browser bundle on one port, and a
// Tusk server on another (a different origin, so the page exercises CORS like a real deployment).
//   npm start -w examples/browser            page on http://127.0.0.1:8080, Tusk on :1080
//   PAGE_PORT=0 TUSK_PORT=0 node serve.mjs    free ports (used by the example's test)
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import { startServer } from '@tusk/server'

const here = new URL('.', import.meta.url)
const bundlePath = createRequire(import.meta.url).resolve('@tusk/client/browser-bundle')

export async function serveExample({ pagePort = 8080, tuskPort = 1080, dataDir = './data' } = {}) {
  const tusk = await startServer({ port: tuskPort, dataDir, logLevel: 'warn' })
  const files = {
    '/': ['text/html; charset=utf-8', await readFile(new URL('index.html', here))],
    '/app.js': ['text/javascript', await readFile(new URL('app.js', here))],
    '/tusk.js': ['text/javascript', await readFile(bundlePath)],
  }
  const page = http.createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]]
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': file[0] }).end(file[1])
  })
  await new Promise((resolve) => page.listen(pagePort, '127.0.0.1', resolve))
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
  const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]))
  const example = await serveExample({ pagePort: env('PAGE_PORT', 8080), tuskPort: env('TUSK_PORT', 1080) })
  console.log(`Open ${example.pageUrl}  (uploads go to ${example.tusk.url})`)
  const stop = () => example.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
