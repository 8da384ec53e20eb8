import { request } from 'undici'

export const TUS = { 'tus-resumable': '1.0.0' }
export const OCTETS = 'application/offset+octet-stream'

/** One payload buffer shared by every request body: bodies are generated in memory, never read from disk. */
export function payload(size) {
  const buffer = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE((i * 2654435761) >>> 0, i)
  return buffer
}

export async function expectStatus(response, status, what) {
  if (response.statusCode !== status) {
    const text = await response.body.text().catch(() => '')
    throw new Error(`${what}: expected ${status}, got ${response.statusCode} ${text.slice(0, 200)}`)
  }
  await response.body.dump()
}

/** POST creation without a body; returns the upload URL. */
export async function createUpload(url, length, dispatcher) {
  const response = await request(url, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(length) },
    dispatcher,
  })
  const location = response.headers.location
  await expectStatus(response, 201, 'creation')
  if (typeof location !== 'string') throw new Error('creation: no Location header')
  return new URL(location, url).href
}

export function uploadOffsetOf(response) {
  return Number(response.headers['upload-offset'])
}
