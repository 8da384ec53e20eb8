import { writeFileSync } from 'node:fs'
import { runConformance, expectationsFrom } from '../src/index.js'
import { startTusNodeServer } from './servers/tus-node-server.js'
import { startTusk } from './servers/tusk.js'
for (const [name, start] of [['tus-node-server', startTusNodeServer], ['tusk', startTusk]] as const) {
  const s = await start()
  const r = await runConformance({ url: s.url })
  writeFileSync(`conformance-tests/expectations/${name}.json`, `${JSON.stringify(expectationsFrom(r.results), null, 2)}\n`)
  if ('uncaughtCount' in s) console.log('uncaught', await s.uncaughtCount())
  await s.close()
}
