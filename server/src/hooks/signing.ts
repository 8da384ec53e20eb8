import { Webhook } from 'standardwebhooks'

/**
 * Standard Webhooks signatures with every configured secret (several while one is being rotated),
 * made by the `standardwebhooks` package: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated.
 */
export function createSigner(secrets: readonly string[]): (id: string, at: Date, body: string) => string {
  const keys = secrets.map((secret) => new Webhook(secret))
  return (id, at, body) => keys.map((key) => key.sign(id, at, body)).join(' ')
}

/** The headers of one signed delivery attempt (the timestamp is the attempt's own). */
export function signedHeaders(
  sign: (id: string, at: Date, body: string) => string,
  id: string,
  body: string,
  at = new Date(),
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': sign(id, at, body),
  }
}
