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
