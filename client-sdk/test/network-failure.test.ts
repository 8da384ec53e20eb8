import { describe, expect, it } from 'vitest'
import { describeHtmlPage, describeNetworkFailure } from '../src/core/network-failure.js'

const systemError = (code: string, message = code) => Object.assign(new Error(message), { code })
const URL = 'http://uploads.example:1080/files'

describe('describeNetworkFailure', () => {
  it('names a refused connection with the host and asks whether the server runs', () => {
    const failure = describeNetworkFailure('POST', URL, systemError('ECONNREFUSED'))
    expect(failure).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED', transient: true })
    expect(failure.message).toBe(
      `POST ${URL}: connection refused by uploads.example:1080 (ECONNREFUSED); is the server running?`,
    )
  })

  it('treats an unknown host name as final, a resolver without answer as transient', () => {
    const unknown = describeNetworkFailure('POST', URL, systemError('ENOTFOUND'))
    expect(unknown).toMatchObject({ kind: 'dns', transient: false })
    expect(unknown.message).toContain('the host name uploads.example was not found (ENOTFOUND)')
    expect(describeNetworkFailure('POST', URL, systemError('EAI_AGAIN')).transient).toBe(true)
  })

  it('explains TLS failures and does not retry them', () => {
    const failure = describeNetworkFailure('OPTIONS', URL, systemError('DEPTH_ZERO_SELF_SIGNED_CERT'))
    expect(failure).toMatchObject({ kind: 'tls', transient: false })
    expect(failure.message).toContain('TLS failed: its certificate is self-signed')
    expect(describeNetworkFailure('GET', URL, systemError('ERR_SSL_WRONG_VERSION_NUMBER')).message).toContain(
      'does not speak TLS on this port',
    )
  })

  it("reads the code inside fetch()'s wrapper and a timeout of AbortSignal.timeout()", () => {
    const wrapped = new TypeError('fetch failed', { cause: systemError('ECONNRESET', 'socket hang up') })
    expect(describeNetworkFailure('HEAD', URL, wrapped).kind).toBe('reset')
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    })
    expect(describeNetworkFailure('HEAD', URL, timeout).kind).toBe('timeout')
  })

  it('keeps the message of an unknown failure', () => {
    const failure = describeNetworkFailure('PATCH', URL, new Error('something odd'))
    expect(failure.kind).toBe('other')
    expect(failure.message).toBe(
      `PATCH ${URL} failed without an answer: something odd; is the server running?`,
    )
  })
})

describe('describeHtmlPage', () => {
  const nginx502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'

  it("gives an HTML error page's title", () => {
    expect(describeHtmlPage(nginx502, 'text/html')).toBe('502 Bad Gateway')
    expect(describeHtmlPage(nginx502, undefined)).toBe('502 Bad Gateway')
  })

  it('gives the text of a page without a title, and null for a body that is not HTML', () => {
    expect(
      describeHtmlPage('<html><body><h1>Service&nbsp;down</h1><p>Try later</p></body></html>', 'text/html'),
    ).toBe('Service down Try later')
    expect(describeHtmlPage('ERR_OFFSET_MISMATCH: offset 10', 'text/plain')).toBeNull()
  })
})
