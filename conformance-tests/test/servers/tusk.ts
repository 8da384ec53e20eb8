import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startServer } from '@tusk/server'

/** A real Tusk server on port 0 with a temporary data directory. */
export async function startTusk(): Promise<{ url: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-conformance-'))
  // A short shutdown grace: a PATCH whose client disconnected stays "in flight" inside Tusk until the
  // grace runs out (reported to the server's owners), and the suite cuts PATCHes on purpose.
  const server = await startServer({ port: 0, dataDir, logLevel: 'silent', shutdownTimeout: 500 })
  return {
    url: server.url,
    async close() {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
