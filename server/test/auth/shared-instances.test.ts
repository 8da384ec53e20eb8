import { createHash, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { redisUrl, s3Bucket, s3Settings } from '../../../test-support/services.js'
import { useTusk } from '../../../test-support/tusk.js'
import { AUDIENCE, bearer, ISSUER, SECRET, token } from './tokens.js'

// Two Tusk instances sharing one S3 bucket and one Redis, as behind a load balancer: ownership and
// limits must hold whichever instance a request reaches.

const TUS = { 'Tus-Resumable': '1.0.0' }
const OCTETS = { 'Content-Type': 'application/offset+octet-stream' }
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

describe('authentication across two instances on S3 sharing Redis', () => {
  const shared = () => ({
    store: 's3' as const,
    ...s3Settings(),
    s3Bucket: s3Bucket(),
    redisUrl: redisUrl(),
    jwtSecret: SECRET,
    jwtIssuer: ISSUER,
    jwtAudience: AUDIENCE,
    rateLimitCreations: 4,
  })
  const one = useTusk(shared())
  const two = useTusk(shared())

  it("refuses owner B, through the other instance, an upload A created (404), and keeps A's bytes", async () => {
    const data = bytes(6 * 2 ** 20, 11)
    const alice = bearer(await token(`alice-${randomUUID()}`))
    const bob = bearer(await token(`bob-${randomUUID()}`))
    const created = await fetch(one.server.url, {
      method: 'POST',
      headers: { ...TUS, ...OCTETS, ...alice, 'Upload-Length': String(data.length) },
      body: data.subarray(0, 5 * 2 ** 20),
    })
    expect(created.status).toBe(201)
    const path = new URL(created.headers.get('location') as string).pathname
    const onTwo = `${two.server.origin}${path}`
    for (const method of ['HEAD', 'GET', 'DELETE']) {
      const res = await fetch(onTwo, { method, headers: { ...TUS, ...bob } })
      expect(res.status, method).toBe(404)
    }
    const patchByBob = await fetch(onTwo, {
      method: 'PATCH',
      headers: { ...TUS, ...OCTETS, ...bob, 'Upload-Offset': String(5 * 2 ** 20) },
      body: data.subarray(5 * 2 ** 20),
    })
    expect(patchByBob.status).toBe(404)
    expect((await fetch(onTwo, { method: 'HEAD', headers: { ...TUS } })).status).toBe(401)
    const head = await fetch(onTwo, { method: 'HEAD', headers: { ...TUS, ...alice } })
    expect(head.headers.get('upload-offset')).toBe(String(5 * 2 ** 20))
    const rest = await fetch(onTwo, {
      method: 'PATCH',
      headers: { ...TUS, ...OCTETS, ...alice, 'Upload-Offset': String(5 * 2 ** 20) },
      body: data.subarray(5 * 2 ** 20),
    })
    expect(rest.status).toBe(204)
    const download = await fetch(`${one.server.origin}${path}`, { headers: alice })
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(data))
  })

  it("counts an owner's creations across both instances against one limit (4 per minute)", async () => {
    const carol = bearer(await token(`carol-${randomUUID()}`))
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const server = i % 2 === 0 ? one.server : two.server
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { ...TUS, ...carol, 'Upload-Length': '0' },
      })
      statuses.push(res.status)
    }
    // Combined: 4 accepted in all, not 4 per instance.
    expect(statuses.filter((s) => s === 201).length).toBe(4)
    expect(statuses.filter((s) => s === 429).length).toBe(4)
  })
})
