import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { operationContext } from '../src/tus/context.js'
import type { OperationContext } from '../src/upload/types.js'

// A real server: each request gets an operation context; `onRequest` decides what happens next.
async function serve(onRequest: (ctx: OperationContext, res: http.ServerResponse) => void) {
  const server = http.createServer((req, res) => onRequest(operationContext({ req, res }), res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}
const servers: http.Server[] = []

/** A promise and its resolve function (Node 20 has no Promise.withResolvers). */
function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

/** Sends a request and cuts the connection once the server has it. */
function requestThenHangUp(url: string, received: Promise<unknown>) {
  const req = http.request(url, { method: 'POST', headers: { 'Content-Length': '10' } })
  req.on('error', () => {})
  req.write('abc')
  void received.then(() => req.destroy())
}

describe('the signal of an operation context', () => {
  it('aborts when the client goes away before its response is complete', async () => {
    let signal: AbortSignal | undefined
    const reached = deferred<void>()
    const aborted = deferred<unknown>()
    const url = await serve((ctx) => {
      signal = ctx.signal
      signal.addEventListener('abort', () => aborted.resolve(signal?.reason))
      reached.resolve()
    })
    requestThenHangUp(url, reached.promise)
    expect(String(await aborted.promise)).toContain('client went away')
  })

  it('is aborted already when first asked for after the client went away', async () => {
    const gone = deferred<OperationContext>()
    const url = await serve((ctx, res) => res.once('close', () => gone.resolve(ctx)))
    const reached = new Promise((resolve) => setTimeout(resolve, 50))
    requestThenHangUp(url, reached)
    const ctx = await gone.promise
    expect(ctx.signal.aborted).toBe(true)
    expect(ctx.signal).toBe(ctx.signal)
  })

  it('never aborts for a request that was answered', async () => {
    const answered = deferred<OperationContext>()
    const url = await serve((ctx, res) => {
      res.end('ok')
      res.once('close', () => answered.resolve(ctx))
    })
    expect((await fetch(url)).status).toBe(200)
    const ctx = await answered.promise
    expect(ctx.signal.aborted).toBe(false)
  })
})
