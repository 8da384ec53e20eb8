// The floor: node:http piping each request body to a file with pipeline(req, createWriteStream), no
// protocol, no records. It answers just enough tus-like headers (Location, Upload-Offset) for the
// bench's clients to drive it like the other contenders, and serves downloads with createReadStream.
//   node bench/servers/raw-pipe.mjs --port P --dir D
//   POST /files          body -> new file D/<id>; 201, Location, Upload-Offset = bytes written
//   PATCH /files/<id>    body -> D/<id> at Upload-Offset; 204, Upload-Offset
//   GET /files/<id>      the file (one byte range if asked); 200/206
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } })
const dir = path.resolve(values.dir)

function fileOf(url) {
  const id = url.slice('/files/'.length)
  return id && !id.includes('/') ? path.join(dir, id) : undefined
}

async function receive(req, res, file, flags, start, status, location) {
  const out = createWriteStream(file, { flags, start })
  await pipeline(req, out)
  const headers = { 'upload-offset': String(start + out.bytesWritten) }
  if (location) headers.location = location
  res.writeHead(status, headers).end()
}

async function send(req, res, file) {
  const { size } = await stat(file)
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]))
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    res.writeHead(206, {
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${size}`,
    })
    await pipeline(createReadStream(file, { start, end }), res)
  } else {
    res.writeHead(200, { 'content-length': size })
    await pipeline(createReadStream(file), res)
  }
}

const server = http.createServer((req, res) => {
  const handled = (async () => {
    if (req.method === 'OPTIONS') return void res.writeHead(204).end()
    if (req.method === 'POST' && req.url === '/files') {
      const id = randomUUID()
      return receive(req, res, path.join(dir, id), 'wx', 0, 201, `/files/${id}`)
    }
    const file = req.url?.startsWith('/files/') ? fileOf(req.url) : undefined
    if (!file) return void res.writeHead(404).end()
    if (req.method === 'PATCH') {
      return receive(req, res, file, 'r+', Number(req.headers['upload-offset'] ?? 0), 204)
    }
    if (req.method === 'GET') return send(req, res, file)
    res.writeHead(405).end()
  })()
  handled.catch((error) => {
    if (!res.headersSent) res.writeHead(error.code === 'ENOENT' ? 404 : 500).end()
    else res.destroy()
  })
})
server.listen(Number(values.port), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
