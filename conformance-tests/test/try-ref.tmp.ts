import { runConformance, formatResult, formatSummary } from '../src/index.js'
import { startReferenceServer } from './reference-server/server.js'
const defects = process.argv.slice(2) as never[]
const s = await startReferenceServer(defects)
const t = Date.now()
const r = await runConformance({ url: s.url, onResult: (x) => x.status !== 'pass' && console.log(formatResult(x)) })
console.log(formatSummary(r), Date.now() - t, 'ms')
await s.close()
