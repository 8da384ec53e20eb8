import { mkdtempSync } from 'node:fs'
import { startServer } from '@tusk/server'

const s = await startServer({
  port: Number(process.argv[2] ?? 0),
  dataDir: mkdtempSync('/tmp/tuskd-'),
  logLevel: 'silent',
})
console.log(s.url)
