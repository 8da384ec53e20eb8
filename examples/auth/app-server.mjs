// The application's own server (node:http, no framework): it serves the page, runs the pretend
// login, and is the only place that holds Tusk's JWT secret. The browser never sees the secret or a
// session token: it asks this server for a short-lived upload token (only while logged in) and for
// download links, both minted with the helpers @tusk/server exports.
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createRequire } from 'node:module'
import { mintDownloadToken, mintUploadToken } from '@tusk/server'
import { createSessions, USERNAME } from './sessions.mjs'

const here = new URL('.', import.meta.url)
const require = createRequire(import.meta.url)

const FILES = {
  '/': ['text/html; charset=utf-8', new URL('index.html', here)],
  '/app.js': ['text/javascript; charset=utf-8', new URL('app.js', here)],
  '/style.css': ['text/css; charset=utf-8', new URL('style.css', here)],
  '/favicon.svg': ['image/svg+xml', new URL('favicon.svg', here)],
  '/tusk.js': ['text/javascript; charset=utf-8', require.resolve('@tusk/client/browser-bundle')],
}

/** A refusal with its status and a one-line reason the page can show. */
class Refusal extends Error {
  constructor(status, reason) {
    super(reason)
    this.status = status
  }
}

const send = (res, status, body) =>
  res
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body))

/**
 * The JSON body of a POST (at most 4 KiB). Requiring `application/json` also keeps plain HTML forms
 * of other sites out: they cannot send that type without a CORS preflight, which this server fails.
 */
async function readJson(req) {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new Refusal(415, 'send the body as application/json')
  }
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > 4096) throw new Refusal(413, 'the body is larger than 4 KiB')
  }
  try {
    const body = JSON.parse(text || '{}')
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body
  } catch {}
  throw new Refusal(400, 'the body is not a JSON object')
}

/** A file name to show and to download as: 1 to 255 characters, no control characters. */
function fileNameFrom(value) {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > 255 || /\p{Cc}/u.test(value)) {
    throw new Refusal(400, 'filename must be 1 to 255 characters without control characters')
  }
  return value
}

/**
 * The app server. `tuskEndpoint()` is Tusk's creation URL (Tusk starts after this server, which is
 * the origin Tusk's CORS allows); `jwt` is what both sides share: the secret, issuer and audience.
 */
export async function createAppServer({ jwt, tuskEndpoint, maxSize, tokenSeconds = 300 }) {
  const files = Object.fromEntries(
    await Promise.all(
      Object.entries(FILES).map(async ([path, [type, file]]) => [path, [type, await readFile(file)]]),
    ),
  )
  const sessions = createSessions()
  const loggedIn = (req) => {
    const username = sessions.userOf(req)
    if (username === undefined) throw new Refusal(401, 'log in first: uploads need a logged-in user')
    return username
  }

  const routes = {
    'GET /api/session': (req) => ({
      username: sessions.userOf(req) ?? null,
      endpoint: tuskEndpoint(),
      maxSize,
    }),
    'POST /api/login': async (req, res) => {
      const { username } = await readJson(req)
      if (typeof username !== 'string' || !USERNAME.test(username)) {
        throw new Refusal(400, 'username: 1 to 32 lowercase letters, digits, "-" or "_"')
      }
      // Pretend login: any well-formed username is accepted, no password.
      sessions.start(res, username)
      return { username }
    },
    'POST /api/logout': (req, res) => {
      sessions.end(req, res)
      return { username: null }
    },
    // A token for one upload: owned by the user, limited in size and lifetime, with metadata this
    // server decides (Tusk replaces whatever metadata the client sends with the token's).
    'POST /api/upload-token': async (req) => {
      const username = loggedIn(req)
      const filename = fileNameFrom((await readJson(req)).filename)
      const token = await mintUploadToken({
        ...jwt,
        owner: username,
        maxSize,
        metadata: { uploadedBy: username, ...(filename === undefined ? {} : { filename }) },
        expiresIn: tokenSeconds,
      })
      return { token, expiresInSeconds: tokenSeconds }
    },
    // A link that downloads one upload without headers (for <a href>): Tusk serves it only if the
    // upload belongs to the user the token names, so a link for someone else's upload gets 404.
    'GET /api/download-link': (req, _res, url) => {
      const username = loggedIn(req)
      const upload = url.searchParams.get('upload') ?? ''
      const prefix = `${tuskEndpoint()}/`
      const uploadId = upload.startsWith(prefix) ? upload.slice(prefix.length) : ''
      if (!/^[A-Za-z0-9_-]{1,200}$/.test(uploadId)) {
        throw new Refusal(400, `upload must be the URL of an upload on ${tuskEndpoint()}`)
      }
      return mintDownloadToken({ ...jwt, owner: username, uploadId, expiresIn: '1h' }).then((token) => ({
        href: `${upload}?token=${token}`,
      }))
    },
  }

  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://app.invalid')
    const file = req.method === 'GET' ? files[url.pathname] : undefined
    if (file) {
      return res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-cache' }).end(file[1])
    }
    const route = routes[`${req.method} ${url.pathname}`]
    try {
      if (!route) {
        const known = Object.keys(routes).some((key) => key.endsWith(` ${url.pathname}`))
        throw known ? new Refusal(405, `${req.method} is not allowed here`) : new Refusal(404, 'not found')
      }
      send(res, 200, await route(req, res, url))
    } catch (error) {
      if (error instanceof Refusal) return send(res, error.status, { error: error.message })
      console.error('examples/auth:', error)
      send(res, 500, { error: 'the app server failed; see its log' })
    }
  })
}
