// Why a request got no HTTP answer, in words a person can act on. Node reports the cause as an
// error code (ECONNREFUSED, ENOTFOUND, a TLS code…); browsers report nothing (CORS and network
// failures look the same there), which ends up as 'other' with the browser's message.

/** What kind of failure kept a request from being answered. */
export type NetworkFailureKind = 'refused' | 'dns' | 'tls' | 'timeout' | 'reset' | 'unreachable' | 'other'

export interface NetworkFailure {
  kind: NetworkFailureKind
  /** The system's code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …), when there is one. */
  code: string | undefined
  /** One line: what failed, the URL, what to check. */
  message: string
  /** Whether another attempt can help: a name that does not exist or a refused certificate cannot. */
  transient: boolean
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is issued by an authority this machine does not trust',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS on this port (an http:// server?)',
}

function codeOf(error: unknown): string | undefined {
  // fetch() wraps the system error: TypeError('fetch failed', { cause })
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause
  const own = error instanceof Error ? error.message : String(error)
  return cause instanceof Error && own === 'fetch failed' ? cause.message : own
}

function kindOf(code: string | undefined, message: string, name: string | undefined): NetworkFailureKind {
  if (name === 'TimeoutError') return 'timeout' // AbortSignal.timeout() (the CLI's fetch calls)
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'dns'
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'timeout'
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable'
  }
  if (code && (code in TLS_REASONS || /CERT|SSL|TLS|EPROTO/.test(code))) return 'tls'
  if (/certificate|ssl|tls/i.test(message)) return 'tls'
  return 'other'
}

/** Classifies the error of a request that got no answer and says, in one line, what to check. */
export function describeNetworkFailure(method: string, url: string, error: unknown): NetworkFailure {
  const code = codeOf(error)
  const text = messageOf(error)
  const kind = kindOf(code, text, (error as { name?: string } | null)?.name)
  let host = url
  try {
    host = new URL(url).host
  } catch {}
  const hostname = host.replace(/:\d+$/, '')
  const tag = code ? ` (${code})` : ''
  const what = `${method} ${url}`
  switch (kind) {
    case 'refused':
      return {
        kind,
        code,
        transient: true,
        message: `${what}: connection refused by ${host}${tag}; is the server running?`,
      }
    case 'dns':
      return {
        kind,
        code,
        // A name that does not exist stays so; a resolver that did not answer (EAI_AGAIN) may recover.
        transient: code === 'EAI_AGAIN',
        message: `${what}: the host name ${hostname} was not found${tag}; is the URL right and the server running?`,
      }
    case 'tls':
      return {
        kind,
        code,
        transient: false,
        message: `${what}: TLS failed: ${
          (code && TLS_REASONS[code]) ?? text
        }${tag}; is the server running, with a certificate this machine trusts?`,
      }
    case 'timeout':
      return {
        kind,
        code,
        transient: true,
        message: `${what}: no answer from ${host} in time${tag}; is the server running?`,
      }
    case 'reset':
      return {
        kind,
        code,
        transient: true,
        message: `${what}: the connection to ${host} was closed before an answer${tag}; is the server running?`,
      }
    case 'unreachable':
      return {
        kind,
        code,
        transient: true,
        message: `${what}: ${host} cannot be reached from this machine${tag}; is the network up and the server running?`,
      }
    default:
      return {
        kind,
        code,
        transient: true,
        message: `${what} failed without an answer: ${text}${tag && !text.includes(code ?? '') ? tag : ''}; is the server running?`,
      }
  }
}

/**
 * A short description of an HTML error page (what a proxy or a plain web server sends): its
 * `<title>`, or else its text without tags. Null when the body is not HTML.
 */
export function describeHtmlPage(body: string, contentType: string | undefined): string | null {
  const looksHtml = /html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)/i.test(body)
  if (!looksHtml) return null
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]
  const text = (title ?? body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' '))
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
  return text ? text.slice(0, 80) : 'an HTML page'
}
