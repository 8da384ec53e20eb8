import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { MemoryUrlStorage, upload } from '../src/index.node.js'
import { sha256, sha256Remote } from './helpers/files.js'

// The SDK's `protocol: 'ietf-draft-05'` with its default options (creation-with-upload, checksum and
// parallel uploads asked for), against a real Tusk: the plan drops what the draft does not have.
let tusk: TestTusk
beforeAll(async () => {
  tusk = await startTusk()
})
afterAll(() => tusk?.close())

describe('upload with protocol ietf-draft-05', () => {
  it('uploads over the draft with creation-with-upload; checksum and parallel uploads are not used', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17)
    const handle = upload(data, {
      endpoint: tusk.url,
      urlStorage: new MemoryUrlStorage(),
      protocol: 'ietf-draft-05',
      checksum: 'sha256',
      parallelUploads: 3,
    })
    const result = await handle.start().done
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.plan).toMatchObject({
      protocol: 'ietf-draft-05',
      checksum: null,
      parallelUploads: 1,
      creationWithUpload: true,
    })
    expect(await sha256Remote(result.url)).toBe(sha256(data))
    // The server recorded a draft upload: a draft HEAD reads it (a tus one would get 409).
    const head = await fetch(result.url, { method: 'HEAD', headers: { 'Upload-Draft-Interop-Version': '6' } })
    expect(head.status).toBe(204)
    expect(head.headers.get('upload-complete')).toBe('?1')
  })
})
