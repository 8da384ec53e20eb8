import { execFile } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checks, type IetfVersion, runConformance } from '../src/index.js'
import { IETF_DEFECTS, type IetfDefect } from './ietf-double/defects.js'
import { startIetfDouble } from './ietf-double/server.js'

// The ietf group against a reference double of the draft: clean, it passes in every interop version;
// with one injected defect, exactly the checks written for that rule fail, and nothing else.

const IETF_IDS = checks.filter((c) => c.group === 'ietf').map((c) => c.id)

const CAUGHT_BY: Record<IetfDefect, string[]> = {
  noUploadOffset: ['ietf.response.upload-offset'],
  mismatch400: ['ietf.append.offset-mismatch-409'],
  noProblemDetails: ['ietf.append.offset-mismatch-problem'],
  overflowsLength: ['ietf.length.beyond-refused'],
  ignoresInconsistentLength: ['ietf.length.inconsistent-400', 'ietf.length.inconsistent-problem'],
  replaysIn8: ['ietf.completed.version-rule'],
  appendsToCompleted: ['ietf.completed.version-rule'],
  expiresIn9: ['ietf.limit.lifetime-key'],
  looseFields: ['ietf.fields.invalid-ignored'],
  unknownAsNewest: ['ietf.version.unknown-not-draft'],
  // A 104 naming another URL also leaves a cut creation with nowhere to resume: the harm the rule prevents.
  wrong104Location: ['ietf.104.content', 'ietf.creation.interrupted-resumable'],
  noCacheControl: ['ietf.offset.head-no-store'],
  getDownloadsIn9: ['ietf.offset.get-in-9'],
  deleteKeeps: ['ietf.cancel.delete'],
  completesInterrupted: ['ietf.creation.interrupted-resumable'],
  digestKeepsContent: ['ietf.digest.content-verified'],
  digestHexCompare: ['ietf.digest.content-verified'],
  reprMismatchKept: ['ietf.digest.repr-verified'],
  reprOnlyInOneRequest: ['ietf.digest.repr-verified'],
  ignoresMaxSize: ['ietf.limit.max-size-refused'],
  bare413: ['ietf.limit.413-upload-limit'],
  racyAppends: ['ietf.append.concurrent-one-history'],
}

describe('the ietf group against a correct draft server (the reference double)', () => {
  let double: Awaited<ReturnType<typeof startIetfDouble>>
  beforeAll(async () => {
    double = await startIetfDouble()
  })
  afterAll(() => double?.close())

  it.each([9, 8, 6] as const)(
    'passes every check in interop %i (GET as offset retrieval is 9 only)',
    async (version) => {
      const report = await runConformance({ url: double.url, only: ['ietf'], ietf: version })
      const notPassed = report.results
        .filter((r) => r.status !== 'pass')
        .map((r) => `${r.status} ${r.id}: ${r.reason}`)
      expect(notPassed).toEqual(
        version === 9
          ? []
          : [
              `skip ietf.offset.get-in-9: not applicable: interop ${version} retrieves the offset by HEAD only`,
            ],
      )
      expect(report.results.map((r) => r.id)).toEqual(IETF_IDS)
    },
  )

  it('without a version named, finds the newest one the server answers OPTIONS in', async () => {
    const report = await runConformance({ url: double.url, only: ['ietf'] })
    expect(report.ietf).toEqual({ version: 9, answered: [9, 8, 6] })
    expect(report.failed).toBe(0)
  })
})

describe('a double that cannot send interim answers', () => {
  it('gets the 104 check reported not applicable ("not sent"), never failed', async () => {
    const double = await startIetfDouble([], { send104: false })
    try {
      const report = await runConformance({ url: double.url, only: ['ietf.104.content'], ietf: 9 })
      expect(report.results.map((r) => r.status)).toEqual(['skip'])
      expect(report.results[0]?.reason).toMatch(/^not sent: no 104/)
    } finally {
      await double.close()
    }
  })
})

describe('a double that verifies no digests and limits no size (both optional in the draft)', () => {
  it('gets the digest and max-size checks reported not applicable, never failed', async () => {
    const double = await startIetfDouble([], { verifiesDigests: false, limitsSize: false })
    try {
      const report = await runConformance({ url: double.url, only: ['ietf'], ietf: 9 })
      const notPassed = report.results
        .filter((r) => r.status !== 'pass')
        .map((r) => `${r.status} ${r.id}: ${r.reason?.split(':', 2).join(':')}`)
      expect(notPassed).toEqual([
        'skip ietf.digest.content-verified: not applicable: an append whose Content-Digest does not match its content got 204',
        'skip ietf.digest.repr-verified: not applicable: uploads with a wrong Repr-Digest completed (append 204, creation 201)',
        'skip ietf.limit.max-size-refused: not applicable: OPTIONS advertises no max-size (Upload-Limit',
        'skip ietf.limit.413-upload-limit: not applicable: OPTIONS advertises no max-size (Upload-Limit',
      ])
    } finally {
      await double.close()
    }
  })
})

// Each defect has a double of its own, so they run at the same time (vitest's maxConcurrency, 5): a
// run mostly waits (two checks give the server time to settle), not on the CPU: 18.7 s one by one.
describe.concurrent('every injected draft defect is caught by exactly the checks written for it', () => {
  it.each(Object.keys(IETF_DEFECTS) as IetfDefect[])('%s', async (defect) => {
    const double = await startIetfDouble([defect])
    try {
      const version: IetfVersion = IETF_DEFECTS[defect].version
      const report = await runConformance({ url: double.url, only: ['ietf'], ietf: version })
      const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id)
      expect(failed.sort()).toEqual([...CAUGHT_BY[defect]].sort())
      for (const result of report.results.filter((r) => r.status === 'fail')) {
        expect(result.reason).toBeTruthy()
        expect(result.exchanges.length).toBeGreaterThan(0)
      }
    } finally {
      await double.close()
    }
  })

  it('lists a catching check for every defect, each a real ietf check', () => {
    for (const list of Object.values(CAUGHT_BY)) for (const id of list) expect(IETF_IDS).toContain(id)
    expect(Object.keys(CAUGHT_BY).sort()).toEqual(Object.keys(IETF_DEFECTS).sort())
  })
})

describe('tusk-conformance --ietf (the compiled CLI) against the double', () => {
  const CLI = path.join(import.meta.dirname, '..', 'bin', 'tusk-conformance.js')
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      })
    })
  let double: Awaited<ReturnType<typeof startIetfDouble>>
  beforeAll(async () => {
    double = await startIetfDouble()
  })
  afterAll(() => double?.close())

  it('--ietf 8 --only ietf checks interop 8 alone on a draft-only server, one line per check, exit 0', async () => {
    const { code, stdout } = await cli([double.url, '--ietf', '8', '--only', 'ietf'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^PASS ietf\.completed\.version-rule \[MUST\] /m)
    expect(stdout).toMatch(
      /^IETF draft: checked in interop 8; the server answers OPTIONS in interop 9, 8, 6$/m,
    )
    expect(stdout).toMatch(/^25 passed, 0 failed, 1 skipped$/m)
  })

  it('a bare --ietf (before the URL) checks the newest version the server answers', async () => {
    const { code, stdout } = await cli(['--ietf', double.url, '--only', 'ietf.options'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^IETF draft: checked in interop 9;/m)
  })

  it('refuses an interop version the suite does not check, as a usage error (exit 2)', async () => {
    const { code, stderr } = await cli([double.url, '--ietf', '7'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/--ietf 7: the suite checks interop 9, 8, 6/)
  })
})
