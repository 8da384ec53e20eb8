import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type TuskServer } from '@tusk/server'

export interface TestServer {
  server: TuskServer
  /** The tus endpoint, e.g. http://127.0.0.1:PORT/files */
  url: string
  close(): Promise<void>
}

/** A real Tusk server on a free port with a throw-away data directory. */
export async function startTusk(): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tusk-client-test-'))
  const server = await startServer({ port: 0, dataDir, logLevel: 'silent' })
  return {
    server,
    url: server.url,
    close: async () => {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** What the server announces, so capability-dependent tests assert the matching behaviour. */
export async function announced(url: string): Promise<{ extensions: string[]; checksums: string[] }> {
  const res = await fetch(url, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } })
  const split = (value: string | null) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  return {
    extensions: split(res.headers.get('Tus-Extension')),
    checksums: split(res.headers.get('Tus-Checksum-Algorithm')),
  }
}
