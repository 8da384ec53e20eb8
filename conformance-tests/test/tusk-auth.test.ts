import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE, ISSUER, SECRET, token } from '../../server/test/auth/tokens.js'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { type AuthTokens, runConformance } from '../src/index.js'
import { differences } from './expectations.js'

// Tusk with JWT authentication on (file store), given two owners' tokens: the whole suite runs as
// owner A, and the auth group checks 401 without a token and 404 for owner B on A's uploads.
describe('Tusk with authentication on (file store) against the whole suite, with two owners’ tokens', () => {
  let server: TestTusk
  let tokens: AuthTokens
  beforeAll(async () => {
    server = await startTusk({ jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE })
    tokens = { a: await token('alice', { expiresIn: 600 }), b: await token('bob', { expiresIn: 600 }) }
  })
  afterAll(() => server?.close())

  it('matches expectations/tusk-auth.json exactly: every auth check passes', {
    timeout: 240_000,
  }, async () => {
    const report = await runConformance({ url: server.url, tokens })
    expect(differences(report, 'tusk-auth.json')).toEqual([])
    expect(report.results.filter((r) => r.group === 'auth').map((r) => r.status)).not.toContain('skip')
  })
})
