import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { parseConfig } from '../../src/config/load.js'
import { startServer, type TuskServer } from '../../src/server.js'
import { AUDIENCE, bearer, ISSUER, SECRET, token } from '../auth/tokens.js'
import { TUS } from '../helpers.js'
import { MiB } from './contract.js'
import { s3Service } from './s3-service.js'

// --s3-download-redirect: GET of a finished upload answers 307 to a presigned GetObject URL of the
// real S3 service, after Tusk's own authentication and authorization; the bytes come from S3.

const s3 = s3Service()

async function uploadAs(endpoint: string, auth: Record<string, string>, data: Buffer): Promise<string> {
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: {
      ...TUS,
      ...auth,
      'Upload-Length': String(data.length),
      'Upload-Metadata': `filename ${Buffer.from('report.pdf').toString('base64')},filetype ${Buffer.from('application/pdf').toString('base64')}`,
    },
  })
  expect(created.status).toBe(201)
  const url = new URL(created.headers.get('location') as string, endpoint).href
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: data,
  })
  expect(patched.status).toBe(204)
  return url
}

describe('S3 store with --s3-download-redirect', () => {
  let bucket: string
  let server: TuskServer
  let owner: Record<string, string>
  const data = bytes(6 * MiB + 321, 81)
  let url: string
  beforeAll(async () => {
    bucket = await s3.createBucket('redirect')
    server = await startServer({
      port: 0,
      logLevel: 'silent',
      store: 's3',
      s3Bucket: bucket,
      s3DownloadRedirect: '2s',
      jwtSecret: SECRET,
      jwtIssuer: ISSUER,
      jwtAudience: AUDIENCE,
      ...s3.settings,
    })
    owner = bearer(await token('alice'))
    url = await uploadAs(server.url, owner, data)
  })
  afterAll(async () => {
    await server?.close()
    if (bucket) await s3.deleteBucket(bucket)
  })

  async function locationOf(headers: Record<string, string> = {}): Promise<string> {
    const answer = await fetch(url, { headers: { ...owner, ...headers }, redirect: 'manual' })
    expect(answer.status).toBe(307)
    expect(answer.headers.get('cache-control')).toBe('no-store')
    const location = answer.headers.get('location') as string
    expect(new URL(location).origin).toBe(new URL(s3.settings.s3Endpoint).origin)
    return location
  }

  it('answers GET with 307 to a presigned S3 URL that serves the exact bytes with Tusk headers', async () => {
    const location = await locationOf()
    const fromS3 = await fetch(location)
    expect(fromS3.status).toBe(200)
    expect(fromS3.headers.get('content-type')).toBe('application/pdf')
    expect(fromS3.headers.get('content-disposition')).toBe('inline; filename="report.pdf"')
    expect(sha256(Buffer.from(await fromS3.arrayBuffer()))).toBe(sha256(data))
    // A client that follows redirects gets the bytes in one call.
    const followed = await fetch(url, { headers: owner })
    expect(sha256(Buffer.from(await followed.arrayBuffer()))).toBe(sha256(data))
  })

  it('serves a Range through the redirect', async () => {
    const range = { Range: 'bytes=5242000-5243999' }
    const ranged = await fetch(await locationOf(range), { headers: range })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 5242000-5243999/${data.length}`)
    expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(5242000, 5244000))).toBe(true)
  })

  it('hands out links that the S3 service refuses once expired', async () => {
    const location = await locationOf()
    await sleep(3_500)
    const late = await fetch(location)
    expect(late.status).toBe(403)
    expect(await late.text()).toMatch(/AccessDenied|expired/i)
  })

  it('checks authentication and ownership before it redirects: no link for strangers or another owner', async () => {
    const anonymous = await fetch(url, { redirect: 'manual' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('location')).toBeNull()
    const other = await fetch(url, { headers: bearer(await token('mallory')), redirect: 'manual' })
    expect(other.status).toBe(404)
    expect(other.headers.get('location')).toBeNull()
  })

  it('answers 304 itself for a matching ETag (no redirect for what the client has)', async () => {
    const first = await fetch(url, { headers: owner, redirect: 'manual' })
    expect(first.status).toBe(307)
    const etag = first.headers.get('etag') as string
    expect(etag).toBeTruthy()
    const cached = await fetch(url, { headers: { ...owner, 'If-None-Match': etag }, redirect: 'manual' })
    expect(cached.status).toBe(304)
    expect(cached.headers.get('location')).toBeNull()
  })

  it('refuses a lifetime S3 cannot sign (under 1 s or over 7 days) with the reason', () => {
    expect(() => parseConfig({ store: 's3', s3Bucket: 'b', s3DownloadRedirect: '500ms' })).toThrow(/1s to 7d/)
    expect(() => parseConfig({ store: 's3', s3Bucket: 'b', s3DownloadRedirect: '8d' })).toThrow(/1s to 7d/)
    expect(parseConfig({ store: 's3', s3Bucket: 'b', s3DownloadRedirect: '5m' }).s3DownloadRedirect).toBe(
      300_000,
    )
  })
})
