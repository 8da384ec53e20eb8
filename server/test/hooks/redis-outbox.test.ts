import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TuskServer } from '../../src/server.js'
import { createUpload, patch } from '../helpers.js'
import { type Receiver, SECRET, startReceiver, until } from './receiver.js'

// A database of its own on the shared test Redis, emptied first, so no other test's events are here.
const REDIS_URL = `${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d*$/, '')}/11`
const dirs: string[] = []
const servers: TuskServer[] = []
let receiver: Receiver
let failOnce: Set<string>

beforeAll(async () => {
  const redis = new Redis(REDIS_URL)
  await redis.flushdb()
  await redis.quit()
  failOnce = new Set()
  // Every third event fails its first attempt (500): it must then arrive exactly twice.
  let n = 0
  receiver = await startReceiver((r) => {
    const id = String(r.headers['webhook-id'])
    if (!failOnce.has(id) && n++ % 3 === 0) {
      failOnce.add(id)
      return { status: 500 }
    }
    return { status: 204 }
  })
  for (let i = 0; i < 3; i++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-redis-hooks-'))
    dirs.push(dataDir)
    servers.push(
      await startServer({
        port: 0,
        dataDir,
        logLevel: 'silent',
        redisUrl: REDIS_URL,
        hooksUrl: receiver.url,
        hooksSecret: SECRET,
        hooksEvents: 'post-finish',
        hooksRetrySchedule: '300ms,300ms,300ms',
      }),
    )
  }
})

afterAll(async () => {
  for (const server of servers) await server.close()
  await receiver?.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('the Redis outbox shared by three instances', () => {
  it('delivers each event once per attempt, not once per instance', async () => {
    const uploads = 30
    for (let i = 0; i < uploads; i++) {
      const server = servers[i % 3] as TuskServer
      const url = await createUpload(server.url, 3)
      expect((await patch(url, 0, Buffer.from('abc'))).status).toBe(204)
    }
    await until(() => {
      const ids = new Set(receiver.ofType('post-finish').map((r) => r.headers['webhook-id']))
      expect(ids.size).toBe(uploads)
      expect(receiver.ofType('post-finish')).toHaveLength(uploads + failOnce.size)
    }, 20_000)
    // Nothing more arrives: no instance delivers an event another has delivered.
    await new Promise((r) => setTimeout(r, 1_500))
    const perId = new Map<string, number>()
    for (const r of receiver.ofType('post-finish')) {
      const id = String(r.headers['webhook-id'])
      perId.set(id, (perId.get(id) ?? 0) + 1)
    }
    for (const [id, count] of perId) expect(count, id).toBe(failOnce.has(id) ? 2 : 1)
    expect(failOnce.size).toBeGreaterThan(0)
    expect(receiver.received.every((r) => r.signed)).toBe(true)
  })
})
