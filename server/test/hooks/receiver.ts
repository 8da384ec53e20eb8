import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

export interface Received {
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  readonly json: Record<string, unknown>
  /** Whether the Standard Webhooks signature verified with SECRET. */
  readonly signed: boolean
  readonly type: string
}

export interface Answer {
  status?: number
  headers?: Record<string, string>
  body?: string
  /** Never answer (the connection stays open until the receiver closes). */
  hang?: boolean
  delayMs?: number
}

/** A real webhook receiver on loopback: records every request, verifies it, answers as told. */
export async function startReceiver(answer: (r: Received) => Answer = () => ({ status: 204 }), port = 0) {
  const received: Received[] = []
  const verifier = new Webhook(SECRET)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let signed = true
      try {
        verifier.verify(body, req.headers as Record<string, string>)
      } catch {
        signed = false
      }
      const json = JSON.parse(body) as Record<string, unknown>
      const entry: Received = {
        headers: req.headers,
        body,
        json,
        signed,
        type: String(json.Type ?? json.type),
      }
      received.push(entry)
      const a = answer(entry)
      if (a.hang) return
      setTimeout(() => {
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers })
        res.end(a.body ?? '')
      }, a.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    port: address.port,
    received,
    ofType: (type: string) => received.filter((r) => r.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/** Polls until `check` passes (or throws its last error after `ms`). */
export async function until(check: () => void | Promise<void>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
