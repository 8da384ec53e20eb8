import net from 'node:net'

/**
 * A TCP proxy that forwards client bytes at about `bytesPerSecond` while `throttled` is true, so a
 * CLI upload on loopback is slow enough to be killed half-way.
 */
export async function startThrottleProxy(target: URL, bytesPerSecond: number) {
  const state = { throttled: true }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause()
      if (state.throttled) {
        client.pause()
        setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000)
      }
    })
    upstream.on('drain', () => client.resume())
    upstream.pipe(client)
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    state,
    endpoint: `http://127.0.0.1:${port}${target.pathname}`,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
