// A webhook receiver for Tusk (tusk-server --hooks-url http://127.0.0.1:8080/hooks --hooks-secret whsec_...).
// Verifies every request's Standard Webhooks signature with the `standardwebhooks` package, treats the
// `webhook-id` as an idempotency key (Tusk delivers at least once: a retry repeats the id), and lists
// finished uploads at GET /finished. Reads both body formats (--hooks-format tusd and standard).
//
//   WEBHOOK_SECRET=whsec_... PORT=8080 node receiver.mjs
import http from 'node:http'
import { Webhook } from 'standardwebhooks'

export function createReceiver(secret) {
  const verifier = new Webhook(secret)
  const seen = new Set()
  const finished = []
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/finished') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(finished))
      return
    }
    if (req.method !== 'POST' || req.url !== '/hooks') {
      res.writeHead(404).end()
      return
    }
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let event
      try {
        event = verifier.verify(body, req.headers) // throws on a bad signature or a stale timestamp
      } catch {
        res.writeHead(401).end('bad signature\n')
        return
      }
      // tusd format: {Type, Event: {Upload, HTTPRequest}}; standard: {type, timestamp, data: {upload, request}}.
      const type = event.Type ?? event.type
      const upload = event.Event?.Upload ?? event.data?.upload
      const id = req.headers['webhook-id']
      if (type === 'post-finish' && !seen.has(id)) {
        seen.add(id)
        finished.push({
          id: upload.ID ?? upload.id,
          size: upload.Size ?? upload.size,
          metadata: upload.MetaData ?? upload.metadata,
          owner: upload.Owner ?? upload.owner,
          storage: upload.Storage ?? upload.storage,
        })
        console.log(`finished: ${upload.ID ?? upload.id}`)
      }
      // A blocking hook (pre-create, ...) may answer fields here; an empty 200 allows the request.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  return { server, finished }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.WEBHOOK_SECRET
  if (!secret) {
    console.error('set WEBHOOK_SECRET to the whsec_... secret given to tusk-server --hooks-secret')
    process.exit(2)
  }
  const port = Number(process.env.PORT ?? 8080)
  createReceiver(secret).server.listen(port, '127.0.0.1', () =>
    console.log(`receiving Tusk webhooks at http://127.0.0.1:${port}/hooks; finished uploads at /finished`),
  )
}
