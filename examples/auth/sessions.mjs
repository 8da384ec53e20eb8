// The pretend login's sessions: a random id in an httpOnly cookie (page scripts cannot read it, so
// an injected script cannot steal it), the username in this process's memory. A real application
// has its own sessions; all the example needs from them is "who is this request from".
import { randomBytes } from 'node:crypto'
import { parseCookie, stringifySetCookie } from 'cookie'

const COOKIE = 'tusk_example_session'

/** Usernames the pretend login accepts: short, and safe to show and to use as a Tusk owner. */
export const USERNAME = /^[a-z0-9_-]{1,32}$/

export function createSessions({ maxAgeSeconds = 8 * 60 * 60 } = {}) {
  /** @type {Map<string, { username: string, expiresAt: number }>} */
  const sessions = new Map()
  const idOf = (req) => parseCookie(req.headers.cookie ?? '')[COOKIE]
  const cookie = (value, maxAge) =>
    // SameSite=Strict: another site's page cannot make the browser send it (no cross-site token minting).
    stringifySetCookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', maxAge })

  return {
    /** The logged-in username of the request, or undefined. */
    userOf(req) {
      const id = idOf(req)
      const session = id === undefined ? undefined : sessions.get(id)
      if (!session) return undefined
      if (session.expiresAt <= Date.now()) {
        sessions.delete(id)
        return undefined
      }
      return session.username
    },
    /** Starts a session for `username` and sets its cookie on `res`. */
    start(res, username) {
      const id = randomBytes(32).toString('base64url')
      sessions.set(id, { username, expiresAt: Date.now() + maxAgeSeconds * 1000 })
      res.setHeader('Set-Cookie', cookie(id, maxAgeSeconds))
    },
    /** Ends the request's session, if any, and clears its cookie. */
    end(req, res) {
      const id = idOf(req)
      if (id !== undefined) sessions.delete(id)
      res.setHeader('Set-Cookie', cookie('', 0))
    },
  }
}
