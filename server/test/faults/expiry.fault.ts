import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { waitUntil } from './harness/proc-stats.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

let tusk: TuskProcess | undefined
let dataDir = ''
afterAll(async () => {
  await killTree(tusk)
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const TUS = { 'Tus-Resumable': '1.0.0' }

async function upload(endpoint: string, length: number, body: string): Promise<string> {
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Length': String(length) },
  })
  const url = new URL(created.headers.get('location') as string, endpoint).href
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body,
  })
  expect(patched.status).toBe(204)
  return url
}

it('removes an expired unfinished upload for real (its bytes gone, HEAD 404/410) and keeps a finished one', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-expiry-'))
  tusk = await startTusk([
    `--data-dir=${dataDir}`,
    '--log-level=info',
    '--upload-expiry=2s',
    '--cleanup-interval=500ms',
  ])
  const unfinished = await upload(tusk.url, 10, 'half!')
  const finished = await upload(tusk.url, 5, 'whole')
  const fileOf = (url: string) => path.join(dataDir, url.split('/').pop() as string)
  expect(existsSync(fileOf(unfinished))).toBe(true)

  const removedAfterMs = await waitUntil(
    () => !existsSync(fileOf(unfinished)),
    10_000,
    'the expired upload removed',
  )
  const head = await fetch(unfinished, { method: 'HEAD', headers: TUS })
  console.log('expiry: removed after', removedAfterMs, 'ms; HEAD', head.status)
  expect([404, 410]).toContain(head.status)
  expect(removedAfterMs).toBeGreaterThan(1_000) // not before its expiry
  expect((await fetch(finished, { method: 'HEAD', headers: TUS })).status).toBe(200)
  expect(existsSync(fileOf(finished))).toBe(true)
  expect(tusk.output()).toMatch(/deleted expired unfinished uploads/)
})
