// The webhook receiver of bench/features.mjs, in a process of its own so that its CPU is measured
// apart from Tusk's and the load generator's (on one machine it still shares the cores with them).
// It does what a real receiver must do per delivery and nothing else: read the body, check the
// Standard Webhooks signature (HMAC-SHA256 of "id.timestamp.body" with node:crypto, compared in
// constant time against each "v1," signature), count the webhook-id, answer 204. It does not parse
// the JSON body (an application would, but that is the application's cost, not Tusk's).
//   node bench/servers/webhook-receiver.mjs --secret whsec_...   (started with fork(): IPC)
// Tells its parent {port} once listening; answers {count} with {delivered, distinct, invalid}, and
// {reset} by forgetting what it counted, {sample} with {body}: the last body it accepted (the floor
// measurement in bench/features.mjs sends a real event's body).
import { createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { secret: { type: 'string' } } })
const key = Buffer.from(String(values.secret).replace(/^whsec_/, ''), 'base64')

let delivered = 0
let invalid = 0
let ids = new Set()
let lastBody

/** Whether one of the "v1,<base64>" signatures is the HMAC of id.timestamp.body. */
function verified(id, timestamp, signatures, body) {
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest()
  for (const signature of signatures.split(' ')) {
    if (!signature.startsWith('v1,')) continue
    const given = Buffer.from(signature.slice(3), 'base64')
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true
  }
  return false
}

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    const id = req.headers['webhook-id']
    if (!verified(id, req.headers['webhook-timestamp'], req.headers['webhook-signature'], body)) {
      invalid++
      res.writeHead(401).end()
      return
    }
    delivered++
    ids.add(id)
    lastBody = body
    res.writeHead(204).end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))

process.on('message', (message) => {
  if (message.reset) {
    delivered = 0
    invalid = 0
    ids = new Set()
  }
  if (message.count || message.reset) process.send({ delivered, distinct: ids.size, invalid })
  if (message.sample) process.send({ body: lastBody?.toString('utf8') })
})
process.on('disconnect', () => process.exit(0))
