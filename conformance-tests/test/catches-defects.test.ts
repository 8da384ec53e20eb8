import { describe, expect, it } from 'vitest'
import { checks, runConformance } from '../src/index.js'
import { DEFECTS, type Defect } from './reference-server/defects.js'
import { startReferenceServer } from './reference-server/server.js'

// For each injected defect, the checks that must catch it. A defect may trip other checks too
// (a server that drops bytes fails every byte comparison); these are the ones written for it.
const CAUGHT_BY: Record<Defect, string[]> = {
  ignoresOffsetMismatch: ['core.patch.offset-mismatch-409', 'core.patch.offset-mismatch-unmodified'],
  countsBytesNeverStored: ['robustness.disconnect.offset-honest'],
  losesLastByte: ['core.patch.offset-is-sum', 'e2e.chunked-upload'],
  dropsMetadata: ['creation.metadata.round-trip', 'creation.metadata.empty-value'],
  metadataAsText: ['creation.metadata.binary-value'],
  acceptsTraversalIds: ['robustness.id.traversal-to-upload'],
  wrong412: ['core.tus-resumable.unsupported-412', 'core.tus-resumable.412-tus-version'],
  processesUnsupportedVersion: ['core.tus-resumable.unsupported-not-processed'],
  noCacheControl: ['core.head.cache-control'],
  omitsZeroOffset: ['core.head.offset-always'],
  noTusResumable: ['core.tus-resumable.in-responses', 'core.tus-resumable.in-error-responses'],
  patch200: ['core.patch.204-new-offset'],
  ignoresMethodOverride: [
    'core.method-override.patch',
    'core.method-override.head',
    'termination.method-override.delete',
  ],
  ignoresContentType: ['core.patch.content-type-415'],
  ignoresChecksum: [
    'checksum.patch.mismatch-460',
    'checksum.patch.mismatch-discarded',
    'checksum.patch.unsupported-algorithm-400',
  ],
  ignoresChecksumTrailer: ['checksum-trailer.patch.mismatch-discarded'],
  mutableLength: ['creation-defer-length.length-immutable'],
  concatReversed: [
    'concatenation.final.relative-urls',
    'concatenation.final.absolute-urls',
    'e2e.parallel-upload',
  ],
  patchableFinal: ['concatenation.final.patch-403'],
  noLock: ['robustness.concurrent-patches'],
  noExpiresOnPatch: ['expiration.patch.upload-expires'],
  crashesOnBadNumbers: ['robustness.upload-length.non-numeric'],
  overflowsLength: ['robustness.patch.beyond-length'],
  finalInheritsMetadata: ['concatenation.final.metadata'],
  finalReferencesPartials: ['concatenation.final.survives-partial-deletion'],
  noOwnershipCheck: [
    'auth.other-owner.head-404',
    'auth.other-owner.patch-404',
    'auth.other-owner.get-404',
    'auth.other-owner.delete-404',
  ],
  forbidsOtherOwner: [
    'auth.other-owner.head-404',
    'auth.other-owner.patch-404',
    'auth.other-owner.get-404',
    'auth.other-owner.delete-404',
  ],
  noWwwAuthenticate: [
    'auth.no-token.post-401',
    'auth.no-token.head-401',
    'auth.no-token.patch-401',
    'auth.no-token.get-401',
    'auth.no-token.delete-401',
  ],
  concatIgnoresOwner: ['auth.other-owner.concat-404'],
  downloadsWithoutToken: ['auth.no-token.get-401'],
}

const groupOf = (id: string) => checks.find((c) => c.id === id)?.group ?? id

// Each defect has a reference server of its own, so they run at the same time (vitest's
// maxConcurrency, 5): a run mostly waits on its server's answers and timers, not on the CPU.
describe.concurrent('every injected defect is caught by the checks written for it', () => {
  it.each(Object.keys(DEFECTS) as Defect[])('%s', async (defect) => {
    const server = await startReferenceServer([defect])
    try {
      const expected = CAUGHT_BY[defect]
      // The groups of those checks, whole: cheaper than the full suite, and a defect also shows
      // whether neighbouring checks stay green.
      const report = await runConformance({
        url: server.url,
        only: [...new Set(expected.map(groupOf))],
        // A server with authentication on (an auth defect) is tested with its two owners' tokens.
        ...(server.tokens ? { tokens: server.tokens } : {}),
      })
      const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id)
      expect(failed).toEqual(expect.arrayContaining(expected))
      for (const result of report.results.filter((r) => expected.includes(r.id))) {
        // A failure says why and shows what was sent and what came back.
        expect(result.reason).toBeTruthy()
        expect(result.exchanges.length).toBeGreaterThan(0)
      }
    } finally {
      await server.close()
    }
  })

  it('lists a catching check for every defect, and every listed id is a real check', () => {
    const ids = new Set(checks.map((c) => c.id))
    for (const list of Object.values(CAUGHT_BY)) for (const id of list) expect(ids).toContain(id)
    expect(Object.keys(CAUGHT_BY).sort()).toEqual(Object.keys(DEFECTS).sort())
  })
})
