import { startTusk } from './servers/tusk.js'
import { runConformance } from '../src/index.js'
let t = Date.now()
const s = await startTusk()
console.log('start', Date.now() - t); t = Date.now()
const r = await runConformance({ url: s.url, only: process.argv.slice(2) })
console.log('run', Date.now() - t, r.failed); t = Date.now()
await s.close()
console.log('close', Date.now() - t)
