import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { startTusk } from '../../test-support/tusk.js'
import { b64, createUpload, patch, send, TUS } from './helpers.js'

const OCTETS = 'application/offset+octet-stream'

describe('bad input gets a 4xx with a short reason, never a 5xx', async () => {
  const server = await startTusk({ maxSize: 1024 * 1024 })
  const fresh = () => createUpload(server.url, 10)

  type Case = {
    name: string
    method: string
    path?: (upload: string) => string
    rawPath?: string
    headers: Record<string, string>
    body?: string
    status: number
    reason: RegExp
  }
  const cases: Case[] = [
    {
      name: 'missing Tus-Resumable',
      method: 'POST',
      headers: { 'Upload-Length': '1' },
      status: 412,
      reason: /Tus-Resumable/,
    },
    {
      name: 'unsupported Tus-Resumable',
      method: 'POST',
      headers: { 'Tus-Resumable': '0.2.2', 'Upload-Length': '1' },
      status: 412,
      reason: /1\.0\.0/,
    },
    {
      name: 'negative Upload-Length',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '-1' },
      status: 400,
      reason: /Upload-Length/i,
    },
    {
      name: 'non-numeric Upload-Length',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '12abc' },
      status: 400,
      reason: /Upload-Length/i,
    },
    {
      name: 'fractional Upload-Length',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1.5' },
      status: 400,
      reason: /Upload-Length/i,
    },
    {
      name: 'huge Upload-Length',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '99999999999999999999999' },
      status: 400,
      reason: /Upload-Length/i,
    },
    {
      name: 'Upload-Length over Tus-Max-Size',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': String(1024 * 1024 + 1) },
      status: 413,
      reason: /maximum size/,
    },
    {
      name: 'neither Upload-Length nor Upload-Defer-Length',
      method: 'POST',
      headers: { ...TUS },
      status: 400,
      reason: /Upload-Length/,
    },
    {
      name: 'Upload-Defer-Length other than 1',
      method: 'POST',
      headers: { ...TUS, 'Upload-Defer-Length': '2' },
      status: 400,
      reason: /Defer-Length/,
    },
    {
      name: 'metadata value not base64',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1', 'Upload-Metadata': 'name hello!' },
      status: 400,
      reason: /base64/,
    },
    {
      name: 'metadata duplicate key',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1', 'Upload-Metadata': `a ${b64('x')},a ${b64('y')}` },
      status: 400,
      reason: /duplicate/,
    },
    {
      name: 'metadata empty key',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1', 'Upload-Metadata': `a ${b64('x')}, ${b64('y')}` },
      status: 400,
      reason: /empty key/,
    },
    {
      name: 'metadata with extra spaces',
      method: 'POST',
      headers: { ...TUS, 'Upload-Length': '1', 'Upload-Metadata': 'a b c' },
      status: 400,
      reason: /space/,
    },
    {
      name: 'negative Upload-Offset',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '-5', 'Content-Type': OCTETS },
      status: 400,
      reason: /Upload-Offset/,
    },
    {
      name: 'non-numeric Upload-Offset',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': 'zero', 'Content-Type': OCTETS },
      status: 400,
      reason: /Upload-Offset/,
    },
    {
      name: 'huge Upload-Offset',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '18446744073709551616', 'Content-Type': OCTETS },
      status: 400,
      reason: /Upload-Offset/,
    },
    {
      name: 'missing Upload-Offset',
      method: 'PATCH',
      headers: { ...TUS, 'Content-Type': OCTETS },
      status: 400,
      reason: /Upload-Offset/,
    },
    {
      name: 'PATCH with the wrong Content-Type',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'text/plain' },
      status: 415,
      reason: /Content-Type/,
    },
    {
      name: 'PATCH at the wrong offset',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '3', 'Content-Type': OCTETS },
      body: 'abc',
      status: 409,
      reason: /offset/i,
    },
    {
      name: 'PATCH with bytes beyond Upload-Length',
      method: 'PATCH',
      headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': OCTETS },
      body: 'x'.repeat(11),
      status: 413,
      reason: /size/,
    },
    {
      name: 'id with path traversal',
      method: 'HEAD',
      path: () => `${server.url}/..%2f..%2fetc%2fpasswd`,
      headers: { ...TUS },
      status: 400,
      reason: /./,
    },
    {
      name: 'id with a dot-dot segment',
      method: 'PATCH',
      rawPath: '/files/%2e%2e',
      headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': OCTETS },
      status: 400,
      reason: /invalid upload id/,
    },
    {
      name: 'id with a NUL byte',
      method: 'GET',
      path: () => `${server.url}/abc%00def`,
      headers: {},
      status: 400,
      reason: /invalid upload id/,
    },
    {
      name: 'id with bad percent-encoding',
      method: 'DELETE',
      path: () => `${server.url}/%E0%A4%A`,
      headers: { ...TUS },
      status: 400,
      reason: /invalid upload id/,
    },
    {
      name: 'unknown upload',
      method: 'HEAD',
      path: () => `${server.url}/0123456789abcdef0123456789abcdef`,
      headers: { ...TUS },
      status: 404,
      reason: /./,
    },
    {
      name: 'unknown X-HTTP-Method-Override',
      method: 'POST',
      headers: { ...TUS, 'X-HTTP-Method-Override': 'TRACE' },
      status: 400,
      reason: /Method-Override/,
    },
    {
      name: 'POST to an upload URL',
      method: 'POST',
      path: (u) => u,
      headers: { ...TUS, 'Upload-Length': '1' },
      status: 405,
      reason: /POST/,
    },
  ]

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const upload = await fresh()
      const url = c.path ? c.path(upload) : c.method === 'POST' ? server.url : upload
      const reply = await send(url, {
        method: c.method,
        headers: c.headers,
        body: c.body,
        rawPath: c.rawPath,
      })
      expect(reply.status).toBe(c.status)
      if (c.method !== 'HEAD') expect(reply.body.toString()).toMatch(c.reason)
      // The upload's stored state is untouched by a refused request.
      const head = await send(upload, { method: 'HEAD', headers: TUS })
      expect(head.headers['upload-offset']).toBe('0')
    })
  }

  it('412 for an unsupported version carries Tus-Version and processes nothing', async () => {
    const reply = await send(server.url, {
      method: 'POST',
      headers: { 'Tus-Resumable': '2.0.0', 'Upload-Length': '1' },
    })
    expect(reply.status).toBe(412)
    expect(reply.headers['tus-version']).toBe('1.0.0')
    expect(reply.headers.location).toBeUndefined()
  })

  it('a malformed request line or oversized headers get 400/431 from the HTTP layer, and the server lives on', async () => {
    const raw = (payload: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(new URL(server.origin).port as unknown as number, '127.0.0.1')
        let out = ''
        socket.on('data', (d) => {
          out += d
        })
        socket.on('close', () => resolve(out))
        socket.on('error', () => resolve(out))
        socket.end(payload)
      })
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
    expect(await raw(`HEAD /files HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    )
    expect((await send(`${server.origin}/health`)).status).toBe(200)
  })

  it('an upload that reached its length refuses further bytes', async () => {
    const url = await createUpload(server.url, 3)
    expect((await patch(url, 0, Buffer.from('abc'))).status).toBe(204)
    const more = await patch(url, 3, Buffer.from('d'))
    expect(more.status).toBe(413)
    expect((await send(url)).body.toString()).toBe('abc')
  })
})
