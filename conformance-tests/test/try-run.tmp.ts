import { runConformance, formatResult, formatSummary } from '../src/index.js'
import { startTusNodeServer } from './servers/tus-node-server.js'
import { startTusk } from './servers/tusk.js'
const which = process.argv[2]
const s = which === 'tusk' ? await startTusk() : await startTusNodeServer()
const t = Date.now()
const r = await runConformance({ url: s.url, onResult: (x) => console.log(formatResult(x)) })
console.log(formatSummary(r), Date.now() - t, 'ms')
await s.close()
