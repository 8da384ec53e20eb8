import { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checks, type IetfVersion, runConformance } from '../src/index.js'
import { startTusk, TUSK_CONFIGURATIONS } from './servers/tusk.js'

// Tusk speaks interop 9, 8 and 6 beside tus v1: the ietf group passes in each, on every store
// configuration (as the tus groups in tusk.test.ts). What is not applicable is named: GET as offset retrieval exists only in 9, and a 104 needs a Node whose
// ServerResponse can write informational answers (feature-detected by Tusk as it is here).
const nodeSends104 =
  typeof (ServerResponse.prototype as unknown as { writeInformation?: unknown }).writeInformation ===
  'function'

function expectedSkips(version: IetfVersion): string[] {
  return [
    ...(version === 9 ? [] : ['ietf.offset.get-in-9']),
    ...(nodeSends104 ? [] : ['ietf.104.content', 'ietf.creation.interrupted-resumable']),
  ].sort()
}

for (const configuration of TUSK_CONFIGURATIONS) {
  describe(`Tusk (${configuration}) against the ietf group`, () => {
    let server: Awaited<ReturnType<typeof startTusk>>
    beforeAll(async () => {
      server = await startTusk(configuration)
    })
    afterAll(() => server?.close())

    it.each([9, 8, 6] as const)(
      'passes every ietf check in interop %i',
      { timeout: 120_000 },
      async (version) => {
        const report = await runConformance({ url: server.url, only: ['ietf'], ietf: version })
        const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.reason}`)
        expect(failed).toEqual([])
        const skipped = report.results.filter((r) => r.status === 'skip').map((r) => r.id)
        expect(skipped.sort()).toEqual(expectedSkips(version))
        expect(report.results).toHaveLength(checks.filter((c) => c.group === 'ietf').length)
      },
    )

    it('without a version named, checks the newest one Tusk answers OPTIONS in (9), and says which it answers', async () => {
      const report = await runConformance({ url: server.url, only: ['ietf.options.upload-limit'] })
      expect(report.ietf).toEqual({ version: 9, answered: [9, 8, 6] })
      expect(report.results.map((r) => r.status)).toEqual(['pass'])
    })
  })
}
