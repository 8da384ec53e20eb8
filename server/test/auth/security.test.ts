import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bytes } from '../../../test-support/bytes.js'
import { redisUrl, s3Bucket, s3Settings } from '../../../test-support/services.js'
import { type TestTusk, useTusk } from '../../../test-support/tusk.js'
import { mintDownloadToken, mintUploadToken } from '../../src/index.js'
import {
  AUDIENCE,
  bearer,
  ISSUER,
  rsa,
  rsaPublicPem,
  SECRET,
  tamperedToken,
  token,
  unsignedToken,
} from './tokens.js'

// The security table: each row is a request that must be refused, against a real server with
// authentication on. Afterwards owner A's upload must be exactly as it was (read back as A).

const TUS = { 'Tus-Resumable': '1.0.0' }
const OCTETS = { 'Content-Type': 'application/offset+octet-stream' }
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
const DATA = bytes(64 * 1024, 7)
const HALF = DATA.length / 2

const hmac = { jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE }

/** Owner A's upload: half its bytes stored. */
async function uploadOfA(server: TestTusk, tokenA: string): Promise<string> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { ...TUS, ...OCTETS, ...bearer(tokenA), 'Upload-Length': String(DATA.length) },
    body: DATA.subarray(0, HALF),
  })
  expect(res.status).toBe(201)
  return new URL(res.headers.get('location') as string, server.url).href
}

/** The state of A's upload, read as A: offset and the stored bytes' hash (via a download once finished). */
async function stateAsA(url: string, tokenA: string) {
  const head = await fetch(url, { method: 'HEAD', headers: { ...TUS, ...bearer(tokenA) } })
  return {
    status: head.status,
    offset: head.headers.get('upload-offset'),
    metadata: head.headers.get('upload-metadata'),
  }
}

type Row = [name: string, request: (url: string) => Promise<Response>, status: number, reason?: RegExp]

const stores = [
  ['file store', () => hmac],
  [
    'S3 store with Redis',
    () => ({ ...hmac, store: 's3' as const, ...s3Settings(), s3Bucket: s3Bucket(), redisUrl: redisUrl() }),
  ],
] as const

describe.each(stores)('authentication and ownership: the security table (%s, HS256)', (_name, config) => {
  const tusk = useTusk(config())

  it("refuses each bad request with its status, never a 5xx, and leaves A's upload unchanged", async () => {
    const server = tusk.server
    const tokenA = await token('alice')
    const tokenB = await token('bob')
    const url = await uploadOfA(server, tokenA)
    const id = url.slice(url.lastIndexOf('/') + 1)
    const before = await stateAsA(url, tokenA)
    expect(before).toMatchObject({ status: 200, offset: String(HALF) })

    const asB = bearer(tokenB)
    const patchWith = (headers: Record<string, string>, target = url) =>
      fetch(target, {
        method: 'PATCH',
        headers: { ...TUS, ...OCTETS, 'Upload-Offset': String(HALF), ...headers },
        body: 'x',
      })
    const headWith = (headers: Record<string, string>) =>
      fetch(url, { method: 'HEAD', headers: { ...TUS, ...headers } })
    const rows: Row[] = [
      ['no token: HEAD', () => headWith({}), 401],
      ['no token: PATCH', () => patchWith({}), 401, /ERR_UNAUTHORIZED/],
      ['no token: GET', () => fetch(url), 401],
      ['no token: DELETE', () => fetch(url, { method: 'DELETE', headers: TUS }), 401],
      [
        'no token: POST',
        () => fetch(server.url, { method: 'POST', headers: { ...TUS, 'Upload-Length': '1' } }),
        401,
      ],
      [
        'no token on an upload that does not exist: the same 401',
        () => fetch(`${server.url}/0123456789abcdef`, { method: 'HEAD', headers: TUS }),
        401,
      ],
      [
        'expired',
        async () => patchWith(bearer(await token('alice', { expiresIn: -120 }))),
        401,
        /token expired/,
      ],
      [
        'not yet valid',
        async () => patchWith(bearer(await token('alice', { notBefore: 120 }))),
        401,
        /not yet valid/,
      ],
      ['bad signature', async () => patchWith(bearer(await tamperedToken('alice'))), 401, /bad signature/],
      ['alg: none', () => patchWith(bearer(unsignedToken('alice'))), 401],
      [
        'wrong issuer',
        async () => patchWith(bearer(await token('alice', { issuer: 'https://evil.test' }))),
        401,
        /wrong issuer/,
      ],
      [
        'wrong audience',
        async () => patchWith(bearer(await token('alice', { audience: 'other' }))),
        401,
        /wrong audience/,
      ],
      [
        'RS256 token where HS256 is pinned',
        async () => patchWith(bearer(await token('alice', { key: rsa.privateKey, alg: 'RS256' }))),
        401,
        /algorithm not allowed/,
      ],
      [
        'a download token used to PATCH',
        async () =>
          patchWith(
            bearer(
              await mintDownloadToken({
                key: SECRET,
                owner: 'alice',
                uploadId: id,
                issuer: ISSUER,
                audience: AUDIENCE,
              }),
            ),
          ),
        403,
      ],
      [
        'an upload token bound to another upload',
        async () =>
          patchWith(
            bearer(
              await mintUploadToken({
                key: SECRET,
                owner: 'alice',
                uploadId: 'another0upload',
                issuer: ISSUER,
                audience: AUDIENCE,
              }),
            ),
          ),
        403,
      ],
      ['owner B: HEAD', () => headWith(asB), 404],
      ['owner B: PATCH', () => patchWith(asB), 404, /ERR_NOT_FOUND/],
      ['owner B: GET', () => fetch(url, { headers: asB }), 404],
      ['owner B: DELETE', () => fetch(url, { method: 'DELETE', headers: { ...TUS, ...asB } }), 404],
      [
        'a token in Upload-Metadata',
        () => patchWith({ 'Upload-Metadata': `token ${Buffer.from(tokenA).toString('base64')}` }),
        401,
      ],
      ['a token in the query of a PATCH', () => patchWith({}, `${url}?token=${tokenA}`), 401],
      [
        'a session token in a download link',
        () => fetch(`${url}?token=${tokenA}`),
        401,
        /only a download token/,
      ],
      [
        'an id with path tricks',
        () => fetch(`${server.url}/..%2F..%2Fetc%2Fpasswd`, { method: 'HEAD', headers: { ...TUS, ...asB } }),
        400,
      ],
    ]
    for (const [name, request, status, reason] of rows) {
      const res = await request(url)
      const body = await res.text()
      expect(res.status, `${name}: ${body}`).toBe(status)
      if (status === 401) expect(res.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="tusk"/)
      if (reason) expect(body, name).toMatch(reason)
    }
    expect(await stateAsA(url, tokenA)).toEqual(before)
    // A can still finish it, and the bytes are exactly A's.
    const done = await fetch(url, {
      method: 'PATCH',
      headers: { ...TUS, ...OCTETS, ...bearer(tokenA), 'Upload-Offset': String(HALF) },
      body: DATA.subarray(HALF),
    })
    expect(done.status).toBe(204)
    const download = await fetch(url, { headers: bearer(tokenA) })
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(DATA))
  })

  it("refuses owner B a concatenation over A's partial upload as if it did not exist", async () => {
    const server = tusk.server
    const [tokenA, tokenB] = [await token('alice'), await token('bob')]
    const partial = await fetch(server.url, {
      method: 'POST',
      headers: { ...TUS, ...OCTETS, ...bearer(tokenA), 'Upload-Concat': 'partial', 'Upload-Length': '3' },
      body: 'abc',
    })
    expect(partial.status).toBe(201)
    const partialUrl = partial.headers.get('location') as string
    const concat = (headers: Record<string, string>, target: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { ...TUS, ...headers, 'Upload-Concat': `final;${target}` },
      })
    const byB = await concat(bearer(tokenB), partialUrl)
    const missing = await concat(bearer(tokenB), `${server.url}/0123456789abcdef0123456789abcdef`)
    expect(byB.status).toBe(missing.status)
    expect((await byB.text()).replace(/[0-9a-f]{32}/g, 'ID')).toBe(
      (await missing.text()).replace(/[0-9a-f]{32}/g, 'ID'),
    )
    const byA = await concat(bearer(tokenA), partialUrl)
    expect(byA.status).toBe(201)
  })

  it('lets an admin (by the admin claim) read every upload, and only with a session token', async () => {
    const server = tusk.server
    const url = await uploadOfA(server, await token('alice'))
    const plain = await fetch(url, {
      method: 'HEAD',
      headers: { ...TUS, ...bearer(await token('carol', { claims: { scope: 'tusk:admin' } })) },
    })
    // This server has no --jwt-admin-claim: carol is no admin here.
    expect(plain.status).toBe(404)
  })
})

describe('admin claim', () => {
  const tusk = useTusk({ ...hmac, jwtAdminClaim: 'scope=tusk:admin' })

  it('may access every upload', async () => {
    const url = await uploadOfA(tusk.server, await token('alice'))
    const admin = bearer(await token('carol', { claims: { scope: 'openid tusk:admin' } }))
    expect((await fetch(url, { method: 'HEAD', headers: { ...TUS, ...admin } })).status).toBe(200)
    expect((await fetch(url, { method: 'DELETE', headers: { ...TUS, ...admin } })).status).toBe(204)
  })
})

describe('a server verifying RS256 with a PEM public key', () => {
  const tusk = useTusk({ jwtPublicKey: rsaPublicPem, jwtIssuer: ISSUER, jwtAudience: AUDIENCE })

  it('accepts RS256 tokens and refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const good = await token('alice', { key: rsa.privateKey, alg: 'RS256' })
    const created = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { ...TUS, ...bearer(good), 'Upload-Length': '1' },
    })
    expect(created.status).toBe(201)
    const confused = await token('alice', { key: new TextEncoder().encode(rsaPublicPem), alg: 'HS256' })
    const res = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { ...TUS, ...bearer(confused), 'Upload-Length': '1' },
    })
    expect(res.status).toBe(401)
    expect(await res.text()).toMatch(/algorithm not allowed/)
  })
})
