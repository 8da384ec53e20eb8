import { request, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { useTusk } from '../../../test-support/tusk.js'

// 104 Upload Resumption Supported needs res.writeInformation, which Node 24 and 26 have and Node 20
// does not. This test runs on all three (scripts/test-node-lines.sh runs server/test/ietf on 24 and
// 26): where the feature exists the 104 must arrive, before the final answer, with the upload's URL;
// where it does not, no 104 is sent and the creation still answers 201 with everything a client needs.
const canSendInformational =
  typeof (ServerResponse.prototype as { writeInformation?: unknown }).writeInformation === 'function'

interface Exchange {
  informational: { status: number; headers: Record<string, unknown> }[]
  final: { status: number; headers: Record<string, unknown> }
}

/** A draft creation with node:http, which reports 1xx answers as 'information' events. */
function createRecordingInformational(endpoint: string, body: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const informational: Exchange['informational'] = []
    const req = request(endpoint, {
      method: 'POST',
      headers: {
        'Upload-Draft-Interop-Version': '9',
        'Upload-Complete': '?1',
        'Content-Type': 'text/plain',
        'Content-Length': String(Buffer.byteLength(body)),
      },
    })
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: info.headers }))
    req.on('response', (res) => {
      res.resume()
      res.on('end', () =>
        resolve({ informational, final: { status: res.statusCode ?? 0, headers: res.headers } }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe(`104 Upload Resumption Supported (this Node ${canSendInformational ? 'can' : 'cannot'} send it)`, () => {
  const tusk = useTusk({ maxSize: 1_000_000 })

  it(
    canSendInformational
      ? 'sends 104 with Location, Upload-Limit and the interop version before the 201'
      : 'sends no 104 and still answers 201 with Location and the upload state',
    async () => {
      const { informational, final } = await createRecordingInformational(tusk.server.url, 'resumable')
      expect(final.status).toBe(201)
      expect(final.headers['upload-complete']).toBe('?1')
      const location = final.headers.location
      expect(location).toMatch(/^http:\/\//)
      if (canSendInformational) {
        expect(informational).toHaveLength(1)
        const [first] = informational
        expect(first?.status).toBe(104)
        expect(first?.headers.location).toBe(location)
        expect(first?.headers['upload-limit']).toMatch(/max-size=1000000/)
        expect(first?.headers['upload-draft-interop-version']).toBe('9')
      } else {
        expect(informational).toEqual([])
      }
    },
  )
})
