import { fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface TusNodeServer {
  url: string
  /** Uncaught exceptions the upstream process survived only thanks to its handler. */
  uncaughtCount(): Promise<number>
  close(): Promise<void>
}

/** Upstream @tus/server + @tus/file-store in a child process (see tus-node-server.child.mjs for why). */
export async function startTusNodeServer(): Promise<TusNodeServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'tus-node-server-'))
  const child = fork(path.join(import.meta.dirname, 'tus-node-server.child.mjs'), [directory], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  const [first] = (await once(child, 'message')) as [{ port: number }]
  return {
    url: `http://127.0.0.1:${first.port}/files`,
    async uncaughtCount() {
      child.send('crashes?')
      const [answer] = (await once(child, 'message')) as [{ uncaught: number }]
      return answer.uncaught
    },
    async close() {
      child.kill()
      await once(child, 'exit').catch(() => {})
      await rm(directory, { recursive: true, force: true })
    },
  }
}
