import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE, ISSUER, SECRET, token } from '../../server/test/auth/tokens.js'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { runCli } from './helpers/cli.js'
import { randomFile, sha256File, tempDir } from './helpers/files.js'

// `tusk` with a token against a real Tusk with JWT authentication on: --token or TUSK_TOKEN (the
// flag wins) is sent on every request; a refused token is one line with the server's reason, exit 1.

// TUSK_TOKEN of the test run itself must not leak into the CLI runs.
const NO_TOKEN = { TUSK_TOKEN: '' }

let tusk: TestTusk
let dir: Awaited<ReturnType<typeof tempDir>>
let file: string
let alice: string
let bob: string

beforeAll(async () => {
  tusk = await startTusk({ jwtSecret: SECRET, jwtIssuer: ISSUER, jwtAudience: AUDIENCE })
  dir = await tempDir()
  file = await randomFile(join(dir.path, 'data.bin'), 300_000)
  alice = await token('alice', { expiresIn: 600 })
  bob = await token('bob', { expiresIn: 600 })
})
afterAll(async () => {
  await tusk?.close()
  await dir?.remove()
})

const uploadedUrl = (stdout: string) => /uploaded (\S+)/.exec(stdout)?.[1] as string

/** Uploads `file` as alice with --token; returns its URL. */
async function uploadAsAlice(state: string): Promise<string> {
  const result = await runCli(['upload', file, '--endpoint', tusk.url, '--token', alice], state, NO_TOKEN)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return uploadedUrl(result.stdout)
}

describe('tusk CLI with a token against a Tusk with authentication on', () => {
  it('--token is sent on upload, status, download and abort (each would get 401 without it)', async () => {
    const state = join(dir.path, 'flag')
    const url = await uploadAsAlice(state)
    const status = await runCli(['status', url, '--token', alice, '--json'], state, NO_TOKEN)
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ offset: 300_000, complete: true })
    const out = join(dir.path, 'flag.out')
    const download = await runCli(['download', url, '-o', out, '--token', alice], state, NO_TOKEN)
    expect(download.code).toBe(0)
    expect(await sha256File(out)).toBe(await sha256File(file))
    const abort = await runCli(['abort', url, '--token', alice], state, NO_TOKEN)
    expect(abort).toMatchObject({ code: 0, stdout: `Terminated ${url}\n` })
    const head = await fetch(url, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${alice}` },
    })
    expect(head.status).toBe(404)
  })

  it('TUSK_TOKEN is used when there is no --token, and --token wins over it', async () => {
    const state = join(dir.path, 'env')
    const env = { TUSK_TOKEN: alice }
    const uploaded = await runCli(['upload', file, '--endpoint', tusk.url], state, env)
    expect(uploaded.code).toBe(0)
    const url = uploadedUrl(uploaded.stdout)
    expect((await runCli(['status', url], state, env)).code).toBe(0)
    // bob's token by the flag wins over alice's in the environment: bob is told there is no such upload.
    const asBob = await runCli(['status', url, '--token', bob], state, env)
    expect(asBob).toMatchObject({ code: 1, stderr: `tusk: No upload at ${url} (the server answered 404).\n` })
    // And alice's by the flag wins over a bad one in the environment.
    const flagWins = await runCli(['status', url, '--token', alice], state, { TUSK_TOKEN: 'not-a-jwt' })
    expect(flagWins.code).toBe(0)
  })

  it('upload without a token: one line saying the token was refused, why, and how to give one; exit 1', async () => {
    const result = await runCli(['upload', file, '--endpoint', tusk.url], join(dir.path, 'none'), NO_TOKEN)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      `data.bin: POST ${tusk.url}: the server refused the token (401: authentication required: send Authorization: Bearer <token>) (no token was sent: give one with --token or TUSK_TOKEN).\n`,
    )
    expect(result.stderr).toBe('tusk: 1 of 1 uploads failed.\n')
  })

  it('upload with an expired token: the server reason in one line, exit 1, no retries', async () => {
    const expired = await token('alice', { expiresIn: -60 })
    const result = await runCli(
      ['upload', file, '--endpoint', tusk.url, '--token', expired],
      join(dir.path, 'expired'),
      NO_TOKEN,
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      `data.bin: POST ${tusk.url}: the server refused the token (401: authentication required: token expired).\n`,
    )
  })

  it('status, download and abort with a refused token: one line each with the reason (from the Bearer challenge for HEAD), exit 1', async () => {
    const state = join(dir.path, 'refused')
    const url = await uploadAsAlice(state)
    const expired = await token('alice', { expiresIn: -60 })
    const status = await runCli(['status', url, '--token', expired], state, NO_TOKEN)
    expect(status).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `tusk: HEAD ${url}: the server refused the token (401: token expired).\n`,
    })
    const wrongIssuer = await token('alice', { issuer: 'https://elsewhere.test' })
    const download = await runCli(
      ['download', url, '-o', join(dir.path, 'x.out'), '--token', wrongIssuer],
      state,
      NO_TOKEN,
    )
    expect(download).toMatchObject({
      code: 1,
      stderr: `tusk: GET ${url}: the server refused the token (401: authentication required: wrong issuer).\n`,
    })
    const abort = await runCli(['abort', url], state, NO_TOKEN)
    expect(abort.code).toBe(1)
    expect(abort.stderr).toMatch(
      /^tusk: DELETE \S+: the server refused the token \(401: authentication required: [^)]*\) \(no token was sent: give one with --token or TUSK_TOKEN\)\.\n$/,
    )
    // Nothing was terminated: alice still has her upload.
    const head = await fetch(url, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${alice}` },
    })
    expect(head.headers.get('upload-offset')).toBe('300000')
  })

  it('a token with spaces or a "Bearer " prefix is a usage error (exit 2)', async () => {
    const state = join(dir.path, 'usage')
    const prefixed = await runCli(['status', `${tusk.url}/x`, '--token', `Bearer ${alice}`], state, NO_TOKEN)
    expect(prefixed).toMatchObject({
      code: 2,
      stderr: 'tusk: --token takes the token alone, without "Bearer ".\n',
    })
    const spaced = await runCli(['status', `${tusk.url}/x`], state, { TUSK_TOKEN: 'a b' })
    expect(spaced).toMatchObject({
      code: 2,
      stderr: 'tusk: TUSK_TOKEN must be one token without spaces or line breaks.\n',
    })
  })
})
