import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConformance } from '../src/index.js'
import { differences } from './expectations.js'
import { startTusNodeServer, type TusNodeServer } from './servers/tus-node-server.js'

// Calibration: the suite's verdict on plain upstream @tus/server 2.4.5 + @tus/file-store is committed
// in expectations/tus-node-server.json and explained, rule by rule, in the README.
describe('calibration against plain @tus/server 2.4.5 + @tus/file-store on node:http', () => {
  let server: TusNodeServer
  beforeAll(async () => {
    server = await startTusNodeServer()
  })
  afterAll(() => server.close())

  it('fails exactly the checks recorded in expectations/tus-node-server.json, and passes the rest', async () => {
    const report = await runConformance({ url: server.url })
    expect(differences(report, 'tus-node-server.json')).toEqual([])
    expect(report.failed).toBeGreaterThan(0)
  })
})
