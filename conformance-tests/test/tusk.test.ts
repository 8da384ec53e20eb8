import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runConformance } from '../src/index.js'
import { differences } from './expectations.js'
import { startTusk, TUSK_CONFIGURATIONS } from './servers/tusk.js'

// Tusk is the suite's first customer: its known deviations (the target is none) are recorded in
// expectations/tusk.json, so a regression fails here and so does a fix until the file is updated.
// Every store configuration Tusk supports is held to the same expectations.
for (const configuration of TUSK_CONFIGURATIONS) {
  describe(`Tusk (${configuration}) against the conformance suite`, () => {
    let server: Awaited<ReturnType<typeof startTusk>>
    beforeAll(async () => {
      server = await startTusk(configuration)
    })
    afterAll(() => server?.close())

    it('matches expectations/tusk.json exactly', async () => {
      const report = await runConformance({ url: server.url })
      expect(differences(report, 'tusk.json')).toEqual([])
    })
  })
}
