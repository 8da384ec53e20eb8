import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checks, GROUPS, runConformance } from '../src/index.js'
import { startReferenceServer } from './reference-server/server.js'

describe('the suite against a correct tus server (the reference server with no defect)', () => {
  let server: Awaited<ReturnType<typeof startReferenceServer>>
  beforeAll(async () => {
    server = await startReferenceServer()
  })
  afterAll(() => server.close())

  it('passes every check; the only skip is the one that applies when concatenation-unfinished is not announced', async () => {
    const report = await runConformance({ url: server.url })
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}`)
    expect(notPassed).toEqual(['skip concatenation.final.unfinished-partial'])
    expect(report.results).toHaveLength(checks.length)
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
