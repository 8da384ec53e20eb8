import { request } from 'undici'

export const TUS = { 'tus-resumable': '1.0.0' }
export const OCTETS = 'application/offset+octet-stream'

/** One payload buffer shared by every request body: bodies are generated in memory, never read from disk. */
export function payload(size) {
  const buffer = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE((i * 2654435761) >>> 0, i)
  return buffer
}

/** A multipart/form-data body with one file field "file" holding `data` (what a browser form sends). */
export function multipartBody(data) {
  const boundary = '----tuskbench7MA4YWxkTrZu0gW'
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  }
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
