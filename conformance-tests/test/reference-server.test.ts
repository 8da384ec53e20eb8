import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checks, GROUPS, runConformance } from '../src/index.js'
import { startReferenceServer } from './reference-server/server.js'

describe('the suite against a correct tus server (the reference server with no defect)', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>
  beforeAll(async () => {
    server = await startReferenceServer()
  })
  afterAll(() => server.close())

  it('passes every check; the skips are the one that applies when concatenation-unfinished is not announced, and the auth group without tokens', async () => {
    const report = await runConformance({ url: server.url })
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}`)
    expect(notPassed).toEqual([
      'skip concatenation.final.unfinished-partial',
      ...checks.filter((c) => c.group === 'auth').map((c) => `skip ${c.id}`),
    ])
    // The ietf group (another protocol) runs only when asked for.
    expect(report.results).toHaveLength(checks.filter((c) => c.group !== 'ietf').length)
  })

  it('asked for the ietf group, reports it not applicable on a tus-only server, saying why (never a pass or a failure)', async () => {
    const report = await runConformance({ url: server.url, only: ['ietf'] })
    expect(report.ietf).toMatchObject({ version: undefined, answered: [] })
    expect(report.results.length).toBe(checks.filter((c) => c.group === 'ietf').length)
    for (const result of report.results) {
      expect(result.status).toBe('skip')
      expect(result.reason).toMatch(/^not applicable: the server answered OPTIONS as none of interop 9, 8, 6/)
    }
  })

  it('without tokens, every auth check is reported not applicable, saying how to give tokens (never a pass)', async () => {
    const report = await runConformance({ url: server.url, only: ['auth'] })
    expect(report.results.length).toBeGreaterThanOrEqual(10)
    for (const result of report.results) {
      expect(result.status).toBe('skip')
      expect(result.reason).toMatch(
        /^not applicable: no tokens given \(pass two owners’ tokens with --token-a and --token-b/,
      )
    }
  })

  it('describes every check as data: a unique id in its group, a spec section, MUST or SHOULD, a rule', () => {
    const ids = checks.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const c of checks) {
      expect(GROUPS).toContain(c.group)
      expect(c.id.startsWith(`${c.group}.`)).toBe(true)
      expect(c.section.length).toBeGreaterThan(0)
      expect(['MUST', 'SHOULD']).toContain(c.level)
      expect(c.rule.length).toBeGreaterThan(10)
    }
    // Every group has checks.
    expect(new Set(checks.map((c) => c.group))).toEqual(new Set(GROUPS))
  })

  it('runs only the selected groups and ids', async () => {
    const report = await runConformance({ url: server.url, only: ['termination', 'core.head.cache-control'] })
    expect(report.results.map((r) => r.id)).toEqual([
      'core.head.cache-control',
      ...checks.filter((c) => c.group === 'termination').map((c) => c.id),
    ])
  })
})

describe('the suite against the reference server with authentication on, given two owners’ tokens', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>
  beforeAll(async () => {
    server = await startReferenceServer([], { auth: true })
  })
  afterAll(() => server.close())

  it('passes every check, the auth group included: every other group runs as owner A', async () => {
    const report = await runConformance({ url: server.url, tokens: server.tokens })
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}`)
    expect(notPassed).toEqual(['skip concatenation.final.unfinished-partial'])
    expect(report.results.filter((r) => r.group === 'auth' && r.status === 'pass').length).toBe(
      checks.filter((c) => c.group === 'auth').length,
    )
  })

  it('without tokens, the other groups fail against it (so the passes above are owed to token A)', async () => {
    const report = await runConformance({ url: server.url, only: ['core.patch.204-new-offset'] })
    expect(report.results.map((r) => r.status)).toEqual(['fail'])
  })
})
