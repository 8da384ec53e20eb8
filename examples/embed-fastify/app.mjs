// An existing Fastify app, with routes of its own, that mounts Tusk under /uploads: uploads, resumes
// and downloads go through the app's own port; every other request reaches the app's routes.
//
//   PORT=3000 DATA_DIR=./data node app.mjs
import { createTusk } from '@tusk/server'
import Fastify from 'fastify'

const TUS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS']

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

  // Fastify makes the HTTP server, so its timeouts are set here: no limit on a whole request (a large
  // PATCH may take long) and a socket silent for a minute is closed (a stalled client's bytes are
  // kept and it can resume).
  const app = Fastify({ requestTimeout: 0, connectionTimeout: 60_000 })

  // Tusk's routes in a scope of their own: its content-type parser leaves every body unread (Tusk
  // streams upload bodies itself; Fastify's bodyLimit never applies), and the handler gives Tusk the
  // raw Node request and response. reply.hijack() tells Fastify that the response is not its to send.
  await app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers()
    uploads.addContentTypeParser('*', (_request, _payload, done) => done(null))
    const handler = (request, reply) => {
      reply.hijack()
      tusk.handle(request.raw, reply.raw)
    }
    // /uploads is creation, /uploads/<id> everything else; HEAD is Tusk's, not a copy of GET.
    for (const url of ['/uploads', '/uploads/*']) {
      uploads.route({ method: TUS_METHODS, url, handler, exposeHeadRoute: false })
    }
  })

  // The app's own routes, with Fastify's usual JSON body parsing.
  app.get('/', async (_request, reply) => {
    reply.type('text/plain')
    return 'my app: upload to /uploads (tus 1.0.0)\n'
  })
  app.get('/api/uploads', async () => finished)
  app.post('/api/echo', async (request) => ({ youSent: request.body }))
  app.get('/health', async () => ({ ok: true }))

  return {
    app,
    tusk,
    /** Stops taking requests, gives uploads in flight Tusk's shutdownTimeout to finish, then stops. */
    async close() {
      const closed = app.close()
      await tusk.close()
      app.server.closeAllConnections()
      await closed
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = await createHostApp({ dataDir: process.env.DATA_DIR, logLevel: process.env.LOG_LEVEL })
  const address = await host.app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
  console.log(`my app listening on ${address} (tus uploads at /uploads)`)
  const stop = () => host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
