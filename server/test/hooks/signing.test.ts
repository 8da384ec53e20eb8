import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { createSigner, signedHeaders } from '../../src/hooks/signing.js'

describe('webhook signing (Standard Webhooks)', () => {
  it('matches the published test vector of the standardwebhooks package', () => {
    const sign = createSigner(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])
    const signature = sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    )
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('gives the same signatures as the standardwebhooks package for any id, time, body and secret', () => {
    for (let i = 0; i < 50; i++) {
      const secret = `whsec_${randomBytes(24 + (i % 41)).toString('base64')}`
      const id = `msg_${randomBytes(12).toString('hex')}`
      const at = new Date(1_700_000_000_000 + i * 7_919_000)
      const body = JSON.stringify({ n: i, text: `ünïcødé ${'x'.repeat(i * 37)} "quoted" \\ 🦣` })
      expect(createSigner([secret])(id, at, body)).toBe(new Webhook(secret).sign(id, at, body))
    }
  })

  it('refuses a secret the package refuses', () => {
    expect(() => createSigner(['whsec_not base64!'])).toThrow()
  })

  it('signs with every secret so receivers on either side of a rotation verify', () => {
    const old = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    const next = `whsec_${Buffer.alloc(32, 7).toString('base64')}`
    const body = '{"Type":"post-finish"}'
    const headers = signedHeaders(createSigner([old, next]), 'msg_1', body)
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2)
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow()
    expect(() => new Webhook(next).verify(body, headers)).not.toThrow()
    expect(() => new Webhook(next).verify(`${body} `, headers)).toThrow()
  })
})
