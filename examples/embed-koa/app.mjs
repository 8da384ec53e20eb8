// An existing Koa app, with routes of its own, that mounts Tusk under /uploads: uploads, resumes and
// downloads go through the app's own port; every other request reaches the app's routes untouched.
//
//   PORT=3000 DATA_DIR=./data node app.mjs
import http from 'node:http'
import { createTusk } from '@tusk/server'
import Koa from 'koa'

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

  const app = new Koa()
  // Before any body parser: Tusk reads upload bodies itself, as streams.
  app.use(tusk.koa)
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/') ctx.body = 'my app: upload to /uploads (tus 1.0.0)\n'
    else if (ctx.method === 'GET' && ctx.path === '/api/uploads') ctx.body = finished
    else if (ctx.method === 'GET' && ctx.path === '/health') ctx.body = { ok: true }
    else await next()
  })

  // The app's own server, so its timeouts are the app's to set: no limit on a whole request (a large
  // PATCH may take long; Node's default cuts it after 5 minutes), and a socket silent for a minute is
  // closed (a stalled client's bytes are kept and it can resume).
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 15_000 }, app.callback())
  server.setTimeout(60_000, (socket) => socket.destroy())

  return {
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
