import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createRedisOutbox } from '../../src/hooks/outbox/redis-outbox.js'
import type { DeliveryRecord, Outbox } from '../../src/hooks/outbox/types.js'

// A database of its own on the shared test Redis, emptied first.
const REDIS_URL = `${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d*$/, '')}/12`
let server: Outbox
let cli: Outbox

beforeAll(async () => {
  const redis = new Redis(REDIS_URL)
  await redis.flushdb()
  await redis.quit()
  server = createRedisOutbox(new Redis(REDIS_URL), 60_000)
  cli = createRedisOutbox(new Redis(REDIS_URL), 60_000)
})

afterAll(async () => {
  await server?.close()
  await cli?.close()
})

it('sees an endpoint enabled again as soon as `hooks retry` puts its dead letter back', async () => {
  const url = 'http://receiver.invalid/hook'
  const record: DeliveryRecord = {
    key: 'evt-1~0',
    eventId: 'evt-1',
    type: 'post-finish',
    url,
    body: '{}',
    attempts: 0,
    createdAt: Date.now(),
  }
  await server.add([record])
  const [claimed] = await server.claimDue(10)
  expect(claimed?.record.key).toBe(record.key)
  // The endpoint answered 410: disabled, and the event given up.
  await server.disable(url)
  await server.deadLetter(claimed as NonNullable<typeof claimed>, 'HTTP 410')
  expect(await server.isDisabled(url)).toBe(true)

  expect(await cli.retryDead()).toBe(1)
  // Within the old cache's second: the running server must not dead-letter the retried event again.
  expect(await server.isDisabled(url)).toBe(false)
})
