import { expect } from 'vitest'
import { tusRequest } from './tus-requests.js'

/** A finished partial upload (Upload-Concat: partial) holding `data`; resolves with its URL. */
export async function partialUpload(endpoint: string, data: Buffer): Promise<string> {
  const created = await tusRequest(endpoint, 'POST', {
    'Upload-Length': String(data.length),
    'Upload-Concat': 'partial',
  })
  expect(created.status).toBe(201)
  const url = new URL(String(created.headers.location), endpoint).href
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
    },
    body: data,
  })
  expect(patched.status).toBe(204)
  return url
}
