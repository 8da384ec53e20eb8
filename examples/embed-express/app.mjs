// An existing Express 5 app, with routes of its own, that mounts Tusk under /uploads: uploads,
// resumes and downloads go through the app's own port; every other request reaches the app's routes.
//
//   PORT=3000 DATA_DIR=./data node app.mjs
import http from 'node:http'
import { createTusk } from '@tusk/server'
import express from 'express'

export async function createHostApp({ dataDir = './data', logLevel = 'info' } = {}) {
  const finished = []
  // The options are tusk-server's (README "Configuration"), validated the same way: a bad one throws
  // a ConfigError that names it. `events` and `hooks` are the app's own code, called in-process.
  const tusk = await createTusk(
    { basePath: '/uploads', dataDir, logLevel, maxSize: 1024 ** 3 },
    {
      events: {
        finished: (upload) => {
          finished.push({ id: upload.id, size: upload.size, filename: upload.metadata?.filename })
        },
      },
    },
  )

  const app = express()
  // basePath and the mount path agree: Tusk reads Express's originalUrl, so the upload URLs it hands
  // out keep the /uploads prefix. Mounted before any body parser: Tusk reads upload bodies itself.
  app.use('/uploads', tusk.handle)
  app.use(express.json())
  app.get('/', (_req, res) => {
    res.type('text/plain').send('my app: upload to /uploads (tus 1.0.0)\n')
  })
  app.get('/api/uploads', (_req, res) => {
    res.json(finished)
  })
  app.post('/api/echo', (req, res) => {
    res.json({ youSent: req.body })
  })
  app.get('/health', (_req, res) => {
    res.json({ ok: true })
  })

  // The app's own server, so its timeouts are the app's to set: no limit on a whole request (a large
  // PATCH may take long; Node's default cuts it after 5 minutes), and a socket silent for a minute is
  // closed (a stalled client's bytes are kept and it can resume).
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 15_000 }, app)
  server.setTimeout(60_000, (socket) => socket.destroy())

  return {
    app,
    server,
    tusk,
    /** Stops taking requests, gives uploads in flight Tusk's shutdownTimeout to finish, then stops. */
    async close() {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeIdleConnections()
      await tusk.close()
      server.closeAllConnections()
      await closed
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = await createHostApp({ dataDir: process.env.DATA_DIR, logLevel: process.env.LOG_LEVEL })
  host.server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    const { port } = host.server.address()
    console.log(`my app listening on http://127.0.0.1:${port} (tus uploads at /uploads)`)
  })
  const stop = () => host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
