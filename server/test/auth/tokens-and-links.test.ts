import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { closeWhenDone } from '../../../test-support/lifecycle.js'
import { startTusk, useTusk } from '../../../test-support/tusk.js'
import { mintDownloadToken, mintUploadToken } from '../../src/index.js'
import { AUDIENCE, bearer, ec, ISSUER, SECRET, token } from './tokens.js'

const TUS = { 'Tus-Resumable': '1.0.0' }
const OCTETS = { 'Content-Type': 'application/offset+octet-stream' }
const hmac = { jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE }
const mintOptions = { key: SECRET, issuer: ISSUER, audience: AUDIENCE }

async function create(url: string, headers: Record<string, string>, body?: string) {
  return fetch(url, {
    method: 'POST',
    headers: { ...TUS, ...(body === undefined ? {} : OCTETS), ...headers },
    body,
  })
}

describe('upload tokens and download links', () => {
  const tusk = useTusk(hmac)

  it('an upload token creates uploads owned by its subject, within its max_size, with its fixed metadata', async () => {
    const upload = await mintUploadToken({
      ...mintOptions,
      owner: 'alice',
      maxSize: 10,
      metadata: { folder: 'invoices' },
    })
    const tooBig = await create(tusk.server.url, { ...bearer(upload), 'Upload-Length': '11' })
    expect(tooBig.status).toBe(413)
    const made = await create(
      tusk.server.url,
      { ...bearer(upload), 'Upload-Length': '5', 'Upload-Metadata': `folder ${btoa('elsewhere')}` },
      'hello',
    )
    expect(made.status).toBe(201)
    const url = made.headers.get('location') as string
    // The owner is alice: her session token reads it, bob's does not.
    const asAlice = await fetch(url, { method: 'HEAD', headers: { ...TUS, ...bearer(await token('alice')) } })
    expect(asAlice.status).toBe(200)
    expect(asAlice.headers.get('upload-metadata')).toBe(`folder ${btoa('invoices')}`)
    const asBob = await fetch(url, { method: 'HEAD', headers: { ...TUS, ...bearer(await token('bob')) } })
    expect(asBob.status).toBe(404)
    // An upload token cannot download (a token of one scope never works for the other).
    expect((await fetch(url, { headers: bearer(upload) })).status).toBe(403)
  })

  it('a download link works without headers, for its one upload only, and never for writing', async () => {
    const alice = bearer(await token('alice'))
    const made = await create(tusk.server.url, { ...alice, 'Upload-Length': '5' }, 'hello')
    const url = made.headers.get('location') as string
    const id = url.slice(url.lastIndexOf('/') + 1)
    const link = await mintDownloadToken({ ...mintOptions, owner: 'alice', uploadId: id })
    const res = await fetch(`${url}?token=${link}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hello')
    const other = await create(tusk.server.url, { ...alice, 'Upload-Length': '1' }, 'x')
    const otherUrl = other.headers.get('location') as string
    expect((await fetch(`${otherUrl}?token=${link}`)).status).toBe(403)
    const write = await fetch(url, { method: 'DELETE', headers: { ...TUS, ...bearer(link) } })
    expect(write.status).toBe(403)
  })

  it('tusk-server token prints a token the server accepts', async () => {
    const { spawnSync } = await import('node:child_process')
    const main = new URL('../../dist/main.js', import.meta.url).pathname
    const run = spawnSync(process.execPath, [main, 'token', '--owner', 'alice', '--max-size', '1KiB'], {
      encoding: 'utf8',
      env: { ...process.env, TUSK_JWT_SECRET: SECRET, TUSK_JWT_ISSUER: ISSUER, TUSK_JWT_AUDIENCE: AUDIENCE },
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const made = await create(
      tusk.server.url,
      { ...bearer(run.stdout.trim()), 'Upload-Length': '5' },
      'hello',
    )
    expect(made.status).toBe(201)
    const usage = spawnSync(process.execPath, [main, 'token'], { encoding: 'utf8' })
    expect(usage.status).toBe(2)
    expect(usage.stderr).toMatch(/--owner is required/)
  })
})

describe('keys from a JWKS endpoint (served on loopback)', () => {
  it('verifies ES256 tokens by kid, and answers 503 (not 401) while the JWKS cannot be fetched', async () => {
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }
    let available = true
    const jwks = createServer((_req, res) => {
      if (!available) {
        res.socket?.destroy()
        return
      }
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
    closeWhenDone(() => new Promise<void>((resolve) => jwks.close(() => resolve())))
    const { port } = jwks.address() as AddressInfo
    const server = await startTusk({
      jwtJwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      jwtAlgorithms: 'ES256',
      jwtIssuer: ISSUER,
      jwtAudience: AUDIENCE,
    })
    const good = await token('alice', { key: ec.privateKey, alg: 'ES256', kid: 'key-1' })
    expect((await create(server.url, { ...bearer(good), 'Upload-Length': '1' })).status).toBe(201)
    const unknownKid = await token('alice', { key: ec.privateKey, alg: 'ES256', kid: 'key-2' })
    const refused = await create(server.url, { ...bearer(unknownKid), 'Upload-Length': '1' })
    expect(refused.status).toBe(401)
    expect(await refused.text()).toMatch(/no key matches/)
    // A new server (empty key cache) while the JWKS endpoint is down: a fault of ours, not the client's.
    available = false
    const cold = await startTusk({
      jwtJwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      jwtAlgorithms: 'ES256',
      jwtIssuer: ISSUER,
      jwtAudience: AUDIENCE,
    })
    const down = await create(cold.url, { ...bearer(good), 'Upload-Length': '1' })
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).not.toBeNull()
  })
})
