import net from 'node:net'

/** What happens to one proxied connection (client→server bytes are counted from its first byte). */
export interface ConnectionFault {
  /** Reset (TCP RST) both sides once this many request bytes have passed. */
  resetAfter?: number
  /** Stop forwarding for stallMs once this many request bytes have passed (both directions). */
  stallAfter?: number
  stallMs?: number
}

export interface FaultProxy {
  /** The proxy's origin, to use in place of the server's. */
  readonly origin: string
  /** Client→server bytes forwarded so far, over all connections. */
  readonly bytesUp: number
  readonly connections: number
  /** Decides the fault for each new connection (default: none). */
  plan: (index: number) => ConnectionFault | undefined
  /** Per-connection client→server rate in bytes/s (0 = unthrottled), to keep uploads in flight. */
  rate: number
  /** Resets every open connection now. */
  resetAll(): void
  close(): Promise<void>
}

/**
 * A small TCP proxy between the client and the server under test that injects resets and stalls and
 * can throttle uploads. Faults are injected at the TCP level, so the server sees exactly what a flaky
 * network produces: RSTs mid-body, bodies that stop and resume, and clients that vanish.
 */
export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const open = new Set<{ client: net.Socket; upstream: net.Socket }>()
  let bytesUp = 0
  let connections = 0
  const proxy: FaultProxy = {
    origin: '',
    get bytesUp() {
      return bytesUp
    },
    get connections() {
      return connections
    },
    plan: () => undefined,
    rate: 0,
    resetAll() {
      for (const pair of open) reset(pair)
    },
    async close() {
      proxy.resetAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const reset = (pair: { client: net.Socket; upstream: net.Socket }) => {
    if (!pair.client.destroyed) pair.client.resetAndDestroy()
    if (!pair.upstream.destroyed) pair.upstream.resetAndDestroy()
  }

  const server = net.createServer((client) => {
    const fault = proxy.plan(connections++) ?? {}
    const upstream = net.connect(target.port, target.host ?? '127.0.0.1')
    const pair = { client, upstream }
    open.add(pair)
    let passed = 0
    let stalled = false
    const forget = () => open.delete(pair)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    client.on('close', () => {
      forget()
      upstream.destroy()
    })
    upstream.on('close', () => {
      forget()
      client.destroy()
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause()
    })
    client.on('drain', () => upstream.resume())
    upstream.on('drain', () => client.resume())
    client.on('data', (chunk: Buffer) => {
      if (fault.resetAfter !== undefined && passed + chunk.length >= fault.resetAfter) {
        const head = chunk.subarray(0, Math.max(0, fault.resetAfter - passed))
        passed += head.length
        bytesUp += head.length
        upstream.write(head, () => reset(pair))
        client.pause()
        return
      }
      passed += chunk.length
      bytesUp += chunk.length
      const full = !upstream.write(chunk)
      if (full) client.pause()
      if (!stalled && fault.stallAfter !== undefined && passed >= fault.stallAfter) {
        stalled = true
        client.pause()
        upstream.pause()
        setTimeout(() => {
          upstream.resume()
          if (!full) client.resume()
        }, fault.stallMs ?? 1_000)
        return
      }
      if (proxy.rate > 0) {
        // Pace the sender: hold its next read until this chunk "took" its share of the rate.
        client.pause()
        setTimeout(() => upstream.writableNeedDrain || client.resume(), (chunk.length / proxy.rate) * 1_000)
      }
    })
    upstream.on('end', () => client.end())
    client.on('end', () => upstream.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  Object.assign(proxy, { origin: `http://127.0.0.1:${port}` })
  return proxy
}
