// The baseline: plain @tus/server + @tus/file-store on node:http, as @tus/server's README starts it.
//   node bench/servers/plain-tus.mjs --port P --dir D [--import-koa] [--koa]
// --import-koa only imports Koa (never used) and --koa mounts @tus/server in Koa the naive way; both
// exist to reproduce the GC finding in docs/benchmarks.md, not for the head-to-head comparison.
import { parseArgs } from 'node:util'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    'import-koa': { type: 'boolean', default: false },
    koa: { type: 'boolean', default: false },
  },
})
const port = Number(values.port)
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: values.dir }) })

if (values.koa || values['import-koa']) {
  const { default: Koa } = await import('koa')
  if (values.koa) {
    const app = new Koa()
    app.use((ctx) => {
      ctx.respond = false
      return tus.handle(ctx.req, ctx.res)
    })
    app.listen(port, '127.0.0.1')
  } else {
    tus.listen({ port, host: '127.0.0.1' })
  }
} else {
  tus.listen({ port, host: '127.0.0.1' })
}

// Exit normally on SIGTERM so that node --cpu-prof (bench/profile.mjs) writes its profile.
process.on('SIGTERM', () => process.exit(0))
