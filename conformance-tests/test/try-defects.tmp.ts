import { runConformance } from '../src/index.js'
import { DEFECTS } from './reference-server/defects.js'
import { startReferenceServer } from './reference-server/server.js'
for (const d of Object.keys(DEFECTS)) {
  const s = await startReferenceServer([d as never])
  const t = Date.now()
  const r = await runConformance({ url: s.url })
  console.log(d, Date.now() - t, 'ms:', r.results.filter((x) => x.status === 'fail').map((x) => x.id).join(' '))
  await s.close()
}
