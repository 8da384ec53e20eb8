#!/usr/bin/env node
// Serves the Uppy example: the page, Uppy's published bundle (uppy/dist) and a favicon on one port,
// and a Tusk server on another, so the uploads are cross-origin (CORS) as in a real deployment.
//   npm start -w examples/uppy               page on http://127.0.0.1:8080, Tusk on :1080 (or free
//                                            ports when those are taken, e.g. by the README's `npm start`)
//   PAGE_PORT=8081 TUSK_PORT=1081 npm start -w examples/uppy    exactly these ports
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import { startServer } from '@tusk/server'
// The browser example's port handling: a taken default port is replaced, a taken given one explained.
import { choosePort, listenOrExplain } from '../browser/ports.mjs'

const here = new URL('.', import.meta.url)
const require = createRequire(import.meta.url)

const FILES = {
  '/': ['text/html; charset=utf-8', new URL('index.html', here)],
  '/app.js': ['text/javascript; charset=utf-8', new URL('app.js', here)],
  '/favicon.svg': ['image/svg+xml', new URL('favicon.svg', here)],
  '/uppy/uppy.min.mjs': ['text/javascript; charset=utf-8', require.resolve('uppy/dist/uppy.min.mjs')],
  '/uppy/uppy.min.css': ['text/css; charset=utf-8', require.resolve('uppy/dist/uppy.min.css')],
}

/** The page's static server on `port` (0 = free); its URL points the page at `endpoint`. */
export async function servePage({ port = 8080, endpoint }) {
  const served = Object.fromEntries(
    await Promise.all(
      Object.entries(FILES).map(async ([path, [type, file]]) => [path, [type, await readFile(file)]]),
    ),
  )
  const page = http.createServer((req, res) => {
    const file = served[(req.url ?? '/').split('?')[0]]
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-cache' }).end(file[1])
  })
  await listenOrExplain(
    'PAGE_PORT',
    port,
    () =>
      new Promise((resolve, reject) => {
        page.once('error', reject)
        page.listen(port, '127.0.0.1', resolve)
      }),
  )
  return {
    url: `http://127.0.0.1:${page.address().port}/?endpoint=${encodeURIComponent(endpoint)}`,
    close: () => new Promise((resolve) => page.close(resolve)),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const tuskPort = await choosePort('TUSK_PORT', 1080)
    const pagePort = await choosePort('PAGE_PORT', 8080)
    const tusk = await listenOrExplain('TUSK_PORT', tuskPort, () =>
      startServer({ port: tuskPort, dataDir: './data', logLevel: 'warn' }),
    )
    const page = await servePage({ port: pagePort, endpoint: tusk.url })
    console.log(`Open ${page.url}  (uploads go to ${tusk.url})`)
    const stop = () => Promise.all([page.close(), tusk.close()]).then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  } catch (error) {
    console.error(`examples/uppy: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
}
