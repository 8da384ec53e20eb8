import { createHash, getHashes } from 'node:crypto'
import zlib from 'node:zlib'
import { pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('checksum')
const SECTION = 'Checksum'
const requires = ['checksum']
const NEEDS_UPLOAD = ['creation', 'checksum']

export const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest('base64')

/** Base64 digest by a named algorithm, or undefined when this Node cannot compute it. crc32 is sent
 * as its 4 big-endian bytes, like the hashes' raw digests. */
function digest(algorithm: string, data: Uint8Array): string | undefined {
  if (algorithm === 'crc32') {
    const crc32 = (zlib as { crc32?: (d: Uint8Array) => number }).crc32
    if (!crc32) return undefined
    const out = Buffer.alloc(4)
    out.writeUInt32BE(crc32(data))
    return out.toString('base64')
  }
  return getHashes().includes(algorithm) ? createHash(algorithm).update(data).digest('base64') : undefined
}

export const checksumChecks: Check[] = [
  check(
    'options.algorithm-header',
    { section: SECTION, level: 'MUST', rule: 'OPTIONS carries Tus-Checksum-Algorithm', requires },
    async (ctx) => {
      const res = await ctx.send('OPTIONS', ctx.url)
      ctx.expect(res.headers['tus-checksum-algorithm'], 'OPTIONS has no Tus-Checksum-Algorithm header', res)
    },
  ),
  check(
    'options.sha1',
    { section: SECTION, level: 'MUST', rule: 'sha1 is among the supported algorithms', requires },
    async (ctx) => {
      ctx.expect(
        ctx.discovery.checksumAlgorithms.includes('sha1'),
        `Tus-Checksum-Algorithm lists ${ctx.discovery.checksumAlgorithms.join(',') || 'nothing'}, not sha1`,
      )
    },
  ),
  check(
    'options.algorithm-names',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'algorithm names are ASCII without uppercase letters',
      requires,
    },
    async (ctx) => {
      const bad = ctx.discovery.checksumAlgorithms.filter((name) => !/^[\x21-\x40\x5b-\x7e]+$/.test(name))
      ctx.expect(
        bad.length === 0,
        `algorithm names with uppercase or non-ASCII characters: ${bad.join(', ')}`,
      )
    },
  ),
  check(
    'patch.match-204',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a PATCH whose sha1 matches is accepted with 204',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const data = pattern(11, 7)
      const { url } = await ctx.create(11)
      const res = await ctx.patch(url, 0, data, { headers: { 'Upload-Checksum': `sha1 ${sha1(data)}` } })
      ctx.expectStatus(res, 204, 'PATCH with a correct sha1 Upload-Checksum')
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'patch.mismatch-460',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'a PATCH whose checksum does not match gets 460',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(11)
      const res = await ctx.patch(url, 0, pattern(11), {
        headers: { 'Upload-Checksum': `sha1 ${sha1(pattern(11, 99))}` },
      })
      ctx.expectStatus(res, 460, 'PATCH with a wrong sha1 Upload-Checksum')
    },
  ),
  check(
    'patch.mismatch-discarded',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'a chunk that fails its checksum is discarded and the offset is not updated',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const data = pattern(11, 8)
      const { url } = await ctx.create(11)
      const res = await ctx.patch(url, 0, pattern(11, 50), {
        headers: { 'Upload-Checksum': `sha1 ${sha1(data)}` },
      })
      ctx.expect(res.status !== 204, 'a PATCH with a wrong checksum was accepted (204)', res)
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `after the failed checksum the offset is ${offset}, expected 0`)
      await ctx.append(url, 0, data)
      await ctx.verifyBytes(url, data)
    },
  ),
  check(
    'patch.unsupported-algorithm-400',
    {
      section: SECTION,
      level: 'SHOULD',
      rule: 'an unsupported checksum algorithm gets 400 and the chunk is discarded',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const { url } = await ctx.create(4)
      const res = await ctx.patch(url, 0, pattern(4), {
        headers: { 'Upload-Checksum': `nosuchalgo ${sha1(pattern(4))}` },
      })
      ctx.expectStatus(res, 400, 'PATCH with Upload-Checksum: nosuchalgo …')
      const offset = await ctx.offsetOf(url)
      ctx.expect(offset === 0, `after the refused PATCH the offset is ${offset}, expected 0`)
    },
  ),
  check(
    'patch.every-algorithm',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'every announced algorithm verifies: a matching chunk is accepted, a wrong one refused',
      requires: NEEDS_UPLOAD,
    },
    async (ctx) => {
      const data = pattern(33, 25)
      const unknown: string[] = []
      for (const algorithm of ctx.discovery.checksumAlgorithms) {
        const good = digest(algorithm, data)
        if (good === undefined) {
          unknown.push(algorithm)
          continue
        }
        const { url } = await ctx.create(66)
        const wrong = await ctx.patch(url, 0, data, {
          headers: { 'Upload-Checksum': `${algorithm} ${digest(algorithm, pattern(33, 26))}` },
        })
        ctx.expect(
          wrong.status >= 400 && wrong.status < 500,
          `${algorithm}: a wrong checksum was answered ${wrong.status}`,
          wrong,
        )
        const right = await ctx.patch(url, 0, data, {
          headers: { 'Upload-Checksum': `${algorithm} ${good}` },
        })
        ctx.expectStatus(right, 204, `${algorithm}: PATCH with a matching checksum`)
      }
      if (unknown.length > 0) ctx.note(`not verified (unknown to this Node): ${unknown.join(', ')}`)
    },
  ),
]
