import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'
import { AUDIENCE, bearer, ISSUER, SECRET, token } from './tokens.js'

const TUS = { 'Tus-Resumable': '1.0.0' }
const hmac = { jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE }
const create = (url: string, headers: Record<string, string>, length = 10) =>
  fetch(url, { method: 'POST', headers: { ...TUS, ...headers, 'Upload-Length': String(length) } })

describe('rate limits (memory)', () => {
  const tusk = useTusk({ rateLimitRequests: 5 })

  it('answers 429 with Retry-After and the limit once a client sends more requests per second than allowed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => fetch(tusk.server.url, { method: 'OPTIONS' })),
    )
    const statuses = answers.map((res) => res.status)
    expect(statuses.filter((s) => s === 204).length).toBe(5)
    const refused = answers.find((res) => res.status === 429)
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await refused?.text()).toMatch(/^ERR_RATE_LIMITED: .*limit 5 requests per second/)
  })
})

describe('creations per minute per owner', () => {
  const tusk = useTusk({ ...hmac, rateLimitCreations: 3 })

  it('counts creations per owner: one owner over the limit does not stop another', async () => {
    const carol = bearer(await token('carol'))
    const dave = bearer(await token('dave'))
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await create(tusk.server.url, carol, 0)).status)
    expect(statuses).toEqual([201, 201, 201, 429])
    expect((await create(tusk.server.url, dave, 0)).status).toBe(201)
  })
})

describe('quotas per owner', () => {
  const tusk = useTusk({ ...hmac, quotaUploads: 2, quotaBytes: 100 })

  it('refuses an owner more unfinished uploads or bytes than the quota, and gives it back when one finishes', async () => {
    const erin = bearer(await token('erin'))
    const first = await create(tusk.server.url, erin, 60)
    expect(first.status).toBe(201)
    const tooManyBytes = await create(tusk.server.url, erin, 50)
    expect(tooManyBytes.status).toBe(429)
    expect(await tooManyBytes.text()).toMatch(/^ERR_QUOTA_EXCEEDED: .*100 bytes/)
    const second = await create(tusk.server.url, erin, 10)
    expect(second.status).toBe(201)
    const third = await create(tusk.server.url, erin, 1)
    expect(third.status).toBe(429)
    expect(await third.text()).toMatch(/2 unfinished uploads/)
    // Finishing the second gives its place back.
    const url = second.headers.get('location') as string
    const done = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, ...erin, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      body: '0123456789',
    })
    expect(done.status).toBe(204)
    expect((await create(tusk.server.url, erin, 1)).status).toBe(201)
  })
})
