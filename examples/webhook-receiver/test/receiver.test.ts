import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startServer } from '@tusk/server'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error: the example is plain JavaScript
import { createReceiver } from '../receiver.mjs'

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`
const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-example-receiver-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('examples/webhook-receiver', () => {
  it('verifies the signature and lists the upload Tusk finished', async () => {
    const { server: receiver, finished } = createReceiver(SECRET) as {
      server: import('node:http').Server
      finished: { id: string; size: number; metadata: Record<string, string> }[]
    }
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const port = (receiver.address() as AddressInfo).port
    const tusk = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      hooksUrl: `http://127.0.0.1:${port}/hooks`,
      hooksSecret: SECRET,
    })
    try {
      const created = await fetch(tusk.url, {
        method: 'POST',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Length': '2',
          'Upload-Metadata': `filename ${Buffer.from('hi.txt').toString('base64')}`,
          'Content-Type': 'application/offset+octet-stream',
        },
        body: 'hi',
      })
      expect(created.status).toBe(201)
      const id = created.headers.get('location')?.split('/').pop()
      for (let i = 0; i < 100 && finished.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(finished).toEqual([expect.objectContaining({ id, size: 2, metadata: { filename: 'hi.txt' } })])
      const listed = await (await fetch(`http://127.0.0.1:${port}/finished`)).json()
      expect(listed).toHaveLength(1)
      // A forged request is refused.
      const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
        method: 'POST',
        headers: {
          'webhook-id': 'msg_x',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,AAAA',
        },
        body: '{"Type":"post-finish"}',
      })
      expect(forged.status).toBe(401)
    } finally {
      await tusk.close()
      receiver.close()
    }
  })
})
