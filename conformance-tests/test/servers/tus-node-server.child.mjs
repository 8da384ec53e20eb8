// Plain upstream @tus/server 2.4.5 + @tus/file-store on node:http, configured as their READMEs show.
// Runs in its own process because @tus/server's GET (a web Response over a file stream) throws an
// uncaught ERR_INVALID_STATE ("ReadableStream is already closed") on Node 20 after serving a
// download; the handler below keeps the process serving and counts the crashes for the test.
import http from 'node:http'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'

let uncaught = 0
process.on('uncaughtException', (error) => {
  uncaught++
  process.stderr.write(`uncaught: ${error.code ?? ''} ${error.message}\n`)
})
process.on('message', (message) => {
  if (message === 'crashes?') process.send?.({ uncaught })
})

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: process.argv[2] }) })
const server = http.createServer((req, res) => tus.handle(req, res))
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
