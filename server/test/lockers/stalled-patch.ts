import http from 'node:http'

export interface StalledPatch {
  /** Settles when the server answers or cuts the connection: the status, or 0 when cut. */
  ended: Promise<number>
  /** Cuts the connection from the client side. */
  cut(): void
}

/**
 * A PATCH that announces `declared` bytes, sends only `sent` and then goes quiet: the server's
 * request stays in flight holding the upload's lock, like a client on a dead network.
 */
export function stalledPatch(url: string, offset: number, body: Buffer, declared: number): StalledPatch {
  const req = http.request(url, {
    method: 'PATCH',
    agent: false,
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(declared),
    },
  })
  const ended = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', () => resolve(0))
    })
    req.on('error', () => resolve(0))
    req.on('close', () => setTimeout(() => resolve(0), 50))
  })
  req.flushHeaders()
  req.write(body)
  return { ended, cut: () => req.destroy() }
}
