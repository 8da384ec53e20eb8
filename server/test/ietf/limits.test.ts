import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'

// A 413 from the upload limits tells the client those limits: "the server SHOULD include the
// Upload-Limit header field" (the conformance suite's ietf.limit.413-upload-limit).
describe('draft 413 answers', () => {
  const tusk = useTusk({ maxSize: 1_000, uploadExpiry: 3_600_000 })
  const draft = (version: number) => ({ 'Upload-Draft-Interop-Version': String(version) })

  it('carry Upload-Limit for a declared length and for content beyond max-size, per interop version', async () => {
    const declared = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { ...draft(9), 'Upload-Complete': '?0', 'Upload-Length': '5000' },
    })
    expect(declared.status).toBe(413)
    expect(declared.headers.get('content-type')).toBe('application/problem+json')
    expect(declared.headers.get('upload-limit')).toBe('max-size=1000, min-size=0, max-age=3600')
    const sent = await fetch(tusk.server.url, {
      method: 'POST',
      headers: { ...draft(6), 'Upload-Complete': '?1' },
      body: Buffer.alloc(2_000),
    })
    expect(sent.status).toBe(413)
    expect(sent.headers.get('upload-limit')).toBe('max-size=1000, min-size=0, expires=3600')
  })
})
