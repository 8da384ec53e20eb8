import { afterEach, describe, expect, it } from 'vitest'
import { runConformance } from '../src/index.js'
import { type ReferenceServerOptions, startReferenceServer } from './reference-server/server.js'

// robustness.concurrent-patches against correct servers that refuse the losing PATCHes by closing
// the connection, the body unread: the client sees EPIPE/ECONNRESET, not a 409. That is a refusal,
// and the check must pass; before, it failed whenever the close beat the answer (1 run in 4 on Tusk).

let server: Awaited<ReturnType<typeof startReferenceServer>> | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

const run = async (losingPatch: ReferenceServerOptions['losingPatch']) => {
  server = await startReferenceServer([], { losingPatch })
  const report = await runConformance({ url: server.url, only: ['robustness.concurrent-patches'] })
  expect(report.results).toHaveLength(1)
  return report.results[0]
}

describe('robustness.concurrent-patches when the server closes the losing connections', () => {
  it('passes when the losing PATCHes get no answer at all, only a closed connection', async () => {
    const result = await run('close')
    expect(result?.reason).toBeUndefined()
    expect(result?.status).toBe('pass')
    expect(result?.note).toMatch(/^3 losing PATCH\(es\) refused by closing the connection/)
  })

  it('passes, five times over, when they get 409 and the connection closes with the body unread', async () => {
    for (let round = 0; round < 5; round++) {
      const result = await run('answer-and-close')
      expect(result?.reason).toBeUndefined()
      expect(result?.status).toBe('pass')
      await server?.close()
      server = null
    }
  })

  it('still fails a server without a lock, where several PATCHes win', async () => {
    server = await startReferenceServer(['noLock'], { losingPatch: 'close' })
    const report = await runConformance({ url: server.url, only: ['robustness.concurrent-patches'] })
    expect(report.results[0]?.status).toBe('fail')
  })
})
