import { Pool } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { postSigned } from '../../src/hooks/http-endpoint.js'
import { createSigner } from '../../src/hooks/signing.js'
import { type Answer, SECRET, startReceiver } from './receiver.js'

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const close of closers) await close()
})

/** One non-blocking delivery (status only, through a keep-alive Pool) to a receiver answering `answer`. */
async function deliver(answer: Answer, timeoutMs = 500) {
  const receiver = await startReceiver(() => answer)
  const pool = new Pool(new URL(receiver.url).origin, { connections: 2 })
  closers.push(() => pool.destroy(), receiver.close)
  const outcome = await postSigned(receiver.url, {
    id: 'msg_1',
    body: '{"Type":"post-finish"}',
    sign: createSigner([SECRET]),
    timeoutMs,
    readBody: false,
    dispatcher: pool,
  })
  return { outcome, received: receiver.received }
}

describe('a non-blocking delivery attempt (status only)', () => {
  it('is delivered signed on a 2xx, even with a huge answer body (not read)', async () => {
    const { outcome, received } = await deliver({ status: 200, body: 'x'.repeat(300_000) })
    expect(outcome).toMatchObject({ ok: true, status: 200 })
    expect(received[0]?.signed).toBe(true)
  })

  it('a 503 with Retry-After is retried after it', async () => {
    const { outcome } = await deliver({ status: 503, headers: { 'Retry-After': '7' } })
    expect(outcome).toMatchObject({ ok: false, retryable: true, reason: 'answered 503', retryAfterMs: 7000 })
  })

  it('410 says the endpoint is gone; a redirect is not followed', async () => {
    expect((await deliver({ status: 410 })).outcome).toMatchObject({ ok: false, gone: true })
    const redirect = await deliver({ status: 307, headers: { location: 'http://127.0.0.1:9/' } })
    expect(redirect.outcome).toMatchObject({
      ok: false,
      gone: false,
      reason: expect.stringContaining('redirect'),
    })
  })

  it('a receiver that never answers times out', async () => {
    const { outcome } = await deliver({ hang: true }, 300)
    expect(outcome).toMatchObject({ ok: false, retryable: true, reason: 'did not answer within 300 ms' })
  })

  it('an unreachable endpoint is a retryable failure naming the cause', async () => {
    const receiver = await startReceiver()
    const url = receiver.url
    await receiver.close()
    const pool = new Pool(new URL(url).origin)
    closers.push(() => pool.destroy())
    const outcome = await postSigned(url, {
      id: 'msg_2',
      body: '{}',
      sign: createSigner([SECRET]),
      timeoutMs: 500,
      readBody: false,
      dispatcher: pool,
    })
    expect(outcome).toMatchObject({ ok: false, retryable: true, reason: 'is unreachable (ECONNREFUSED)' })
  })
})
