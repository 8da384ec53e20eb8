import { createHash, randomBytes } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { AUTH_DEFECTS, type Defect } from './defects.js'

// A small in-memory tus 1.0.0 server with every extension, written only to test the suite: with no
// defect it must pass every check; each defect breaks exactly one rule. Not for production use.

const BASE = '/files'
const MAX_SIZE = 1024 * 1024 * 1024
const EXTENSIONS =
  'creation,creation-with-upload,creation-defer-length,expiration,checksum,checksum-trailer,termination,concatenation,concatenation-unfinished'
const ALGORITHMS = ['sha1', 'md5', 'sha256']
const ID = /^[0-9a-f]{32}$/
const DAY = 24 * 3_600_000

interface Upload {
  id: string
  length?: number
  offset: number
  data: Buffer
  metadata?: string
  /** 'partial', or the raw header of a final upload. */
  concat?: string
  partials?: string[]
  busy: boolean
  expires: Date
  /** Who created it, when authentication is on. */
  owner?: string
}

/** The reference server's bearer tokens when authentication is on: token → owner. */
export const REFERENCE_TOKENS = { a: 'reference-token-of-alice', b: 'reference-token-of-bob' } as const
const OWNERS: Record<string, string> = { [REFERENCE_TOKENS.a]: 'alice', [REFERENCE_TOKENS.b]: 'bob' }

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** A request header as one string (repeated headers joined, as Node does for unknown names). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function parseMetadata(header: string): boolean {
  const seen = new Set<string>()
  for (const item of header.split(',')) {
    const parts = item.split(' ')
    const [key = '', value = ''] = parts
    if (parts.length > 2 || key === '' || seen.has(key)) return false
    if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false
    seen.add(key)
  }
  return true
}

/** Correct behaviours a real server may choose (not defects): tests run the suite against them too. */
export interface ReferenceServerOptions {
  /**
   * How a PATCH that loses to one in progress is refused: answered 409 after its body was read
   * ('answer', the default), or answered 409 and its connection closed at once, body unread
   * ('answer-and-close', as Tusk may do), or its connection closed without an answer ('close').
   */
  losingPatch?: 'answer' | 'answer-and-close' | 'close'
  /** Serve https with this key and certificate (PEM) instead of http. */
  tls?: { key: Buffer; cert: Buffer }
  /**
   * Authentication: every request but OPTIONS needs `Authorization: Bearer <one of REFERENCE_TOKENS>`
   * (401 with a Bearer challenge otherwise) and an upload is its creator's only (others get 404).
   * On by default when an authentication defect is injected.
   */
  auth?: boolean
}

export async function startReferenceServer(
  defects: readonly Defect[] = [],
  options: ReferenceServerOptions = {},
) {
  const has = (d: Defect) => defects.includes(d)
  const authOn = options.auth ?? defects.some((d) => AUTH_DEFECTS.includes(d))
  const uploads = new Map<string, Upload>()
  let origin = ''

  /** The owner a request speaks for (undefined when authentication is off). */
  const authenticate = (req: IncomingMessage, method: string | undefined): string | undefined => {
    if (!authOn) return undefined
    const token = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '')?.[1]
    const owner = token === undefined ? undefined : OWNERS[token]
    if (owner !== undefined) return owner
    if (method === 'GET' && token === undefined && has('downloadsWithoutToken')) return undefined
    const challenge =
      token === undefined ? 'Bearer realm="reference"' : 'Bearer realm="reference", error="invalid_token"'
    throw new HttpError(
      401,
      'a valid bearer token is required',
      has('noWwwAuthenticate') ? {} : { 'WWW-Authenticate': challenge },
    )
  }

  /** Whether `owner` may use `upload` (another owner's upload is answered as a missing one). */
  const mayUse = (upload: Upload, owner: string | undefined) =>
    !authOn || owner === undefined || upload.owner === owner || has('noOwnershipCheck')

  const find = (raw: string, owner?: string): Upload => {
    let id = raw
    if (has('acceptsTraversalIds')) id = path.posix.basename(path.posix.normalize(decodeURIComponent(raw)))
    const upload = ID.test(id) ? uploads.get(id) : undefined
    if (!upload) throw new HttpError(404, 'upload not found')
    if (!mayUse(upload, owner)) {
      if (has('forbidsOtherOwner')) throw new HttpError(403, 'not your upload')
      throw new HttpError(404, 'upload not found')
    }
    return upload
  }

  /** The bytes and offset of a final upload, computed from its partials. */
  const finalState = (upload: Upload) => {
    // Once complete, a final upload keeps its own copy, so deleting a partial cannot change it.
    if (upload.length !== undefined && upload.offset === upload.length && !has('finalReferencesPartials')) {
      return { complete: true, length: upload.length, data: upload.data }
    }
    const parts = (upload.partials ?? []).map((id) => uploads.get(id))
    const ordered = has('concatReversed') ? [...parts].reverse() : parts
    const complete = ordered.every((p) => p && p.length !== undefined && p.offset === p.length)
    const length = parts.reduce((sum, p) => sum + (p?.length ?? 0), 0)
    if (!complete) return { complete, length, data: undefined }
    upload.data = Buffer.concat(ordered.map((p) => p?.data.subarray(0, p.offset) ?? Buffer.alloc(0)))
    upload.length = length
    upload.offset = length
    return { complete, length, data: upload.data }
  }

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks)))
      req.on('error', reject)
    })

  const write = (upload: Upload, at: number, chunk: Buffer) => {
    const end = at + chunk.length
    if (upload.data.length < end)
      upload.data = Buffer.concat([upload.data, Buffer.alloc(end - upload.data.length)])
    chunk.copy(upload.data, at)
  }

  /** Streams a PATCH/POST body into the upload from `start`; keeps what arrived if the client goes. */
  const receive = (req: IncomingMessage, upload: Upload, start: number) =>
    new Promise<{ complete: boolean }>((resolve, reject) => {
      let cursor = start
      const declared = Number(header(req, 'content-length') ?? 0)
      req.on('data', (chunk: Buffer) => {
        if (upload.length !== undefined && cursor + chunk.length > upload.length && !has('overflowsLength')) {
          req.destroy()
          reject(new HttpError(413, 'body goes past Upload-Length'))
          return
        }
        write(upload, cursor, chunk)
        cursor += chunk.length
        if (!has('countsBytesNeverStored')) upload.offset = Math.max(upload.offset, cursor)
      })
      req.on('end', () => {
        upload.offset = cursor
        if (has('losesLastByte') && cursor > start) upload.data[cursor - 1] = 0
        resolve({ complete: true })
      })
      req.on('close', () => {
        if (req.complete) return
        upload.offset = has('countsBytesNeverStored') ? start + declared : cursor
        resolve({ complete: false })
      })
    })

  const verifyChecksum = (header: string, body: Buffer) => {
    const [algorithm = '', expected = ''] = header.split(' ')
    if (!ALGORITHMS.includes(algorithm)) throw new HttpError(400, 'unsupported checksum algorithm')
    const actual = createHash(algorithm).update(body).digest('base64')
    if (actual !== expected) throw new HttpError(460, 'checksum mismatch')
  }

  const expiresHeader = (upload: Upload) => ({ 'Upload-Expires': upload.expires.toUTCString() })

  async function create(req: IncomingMessage, res: ServerResponse, owner: string | undefined) {
    const metadata = header(req, 'upload-metadata')
    if (metadata !== undefined && !parseMetadata(metadata))
      throw new HttpError(400, 'invalid Upload-Metadata')
    const upload: Upload = {
      id: randomBytes(16).toString('hex'),
      offset: 0,
      data: Buffer.alloc(0),
      busy: false,
      expires: new Date(Date.now() + DAY),
      ...(owner !== undefined ? { owner } : {}),
    }
    if (metadata !== undefined) upload.metadata = metadata
    const concat = header(req, 'upload-concat')
    if (concat?.startsWith('final;')) {
      const ids = concat
        .slice(6)
        .trim()
        .split(/ +/)
        .map((u) => {
          const pathname = new URL(u, origin).pathname
          const id = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length + 1) : ''
          let partial = ID.test(id) ? uploads.get(id) : undefined
          // Another owner's partial is answered like one that does not exist.
          if (partial && !mayUse(partial, owner) && !has('concatIgnoresOwner')) partial = undefined
          if (partial?.concat !== 'partial') throw new HttpError(400, `not a partial upload: ${u}`)
          return id
        })
      upload.concat = concat
      upload.partials = ids
      if (has('finalInheritsMetadata'))
        upload.metadata = ids
          .map((id) => uploads.get(id)?.metadata)
          .filter(Boolean)
          .join(',')
    } else {
      if (concat !== undefined && concat !== 'partial') throw new HttpError(400, 'invalid Upload-Concat')
      if (concat) upload.concat = concat
      const length = header(req, 'upload-length')
      const defer = header(req, 'upload-defer-length')
      if ((length === undefined) === (defer === undefined))
        throw new HttpError(400, 'need Upload-Length or Upload-Defer-Length')
      if (defer !== undefined && defer !== '1') throw new HttpError(400, 'Upload-Defer-Length must be 1')
      if (length !== undefined) {
        if (has('crashesOnBadNumbers') && !/^\d+$/.test(length)) throw new Error('NaN')
        if (!/^\d{1,16}$/.test(length)) throw new HttpError(400, 'invalid Upload-Length')
        if (Number(length) > MAX_SIZE) throw new HttpError(413, 'too large')
        upload.length = Number(length)
      }
    }
    uploads.set(upload.id, upload)
    if (upload.partials) finalState(upload)
    const headers: Record<string, string> = {
      Location: `${origin}${BASE}/${upload.id}`,
      ...expiresHeader(upload),
    }
    if (header(req, 'content-type') === 'application/offset+octet-stream' && !upload.partials) {
      upload.busy = true
      await receive(req, upload, 0).finally(() => {
        upload.busy = false
      })
      headers['Upload-Offset'] = String(upload.offset)
    }
    send(res, 201, headers)
  }

  function head(upload: Upload, res: ServerResponse) {
    const headers: Record<string, string> = {}
    if (!has('noCacheControl')) headers['Cache-Control'] = 'no-store'
    if (upload.partials) {
      const state = finalState(upload)
      headers['Upload-Length'] = String(state.length)
      if (state.complete) headers['Upload-Offset'] = String(state.length)
    } else {
      if (upload.offset > 0 || !has('omitsZeroOffset')) headers['Upload-Offset'] = String(upload.offset)
      if (upload.length !== undefined) headers['Upload-Length'] = String(upload.length)
      else headers['Upload-Defer-Length'] = '1'
    }
    if (upload.metadata && !has('dropsMetadata')) {
      headers['Upload-Metadata'] = has('metadataAsText')
        ? upload.metadata
            .split(',')
            .map((pair) => {
              const [key, value = ''] = pair.split(' ')
              return `${key} ${Buffer.from(Buffer.from(value, 'base64').toString('utf8')).toString('base64')}`
            })
            .join(',')
        : upload.metadata
    }
    if (upload.concat) headers['Upload-Concat'] = upload.concat
    send(res, 200, headers)
  }

  async function patch(req: IncomingMessage, res: ServerResponse, upload: Upload) {
    if (header(req, 'content-type') !== 'application/offset+octet-stream' && !has('ignoresContentType')) {
      throw new HttpError(415, 'PATCH needs Content-Type: application/offset+octet-stream')
    }
    const offsetHeader = header(req, 'upload-offset')
    if (offsetHeader === undefined || !/^\d{1,16}$/.test(offsetHeader))
      throw new HttpError(400, 'invalid Upload-Offset')
    if (upload.partials && !has('patchableFinal')) throw new HttpError(403, 'final uploads cannot be patched')
    if (upload.busy && !has('noLock')) {
      if (options.losingPatch === 'close') return void req.socket.destroy()
      if (options.losingPatch === 'answer-and-close') {
        send(res, 409, { Connection: 'close' }, 'another request is writing this upload\n')
        return void req.socket.destroy()
      }
      throw new HttpError(409, 'another request is writing this upload')
    }
    let offset = Number(offsetHeader)
    if (offset !== upload.offset) {
      if (!has('ignoresOffsetMismatch')) throw new HttpError(409, `offset is ${upload.offset}`)
      offset = upload.offset
    }
    const length = header(req, 'upload-length')
    if (length !== undefined) {
      if (!/^\d{1,16}$/.test(length) || Number(length) < offset)
        throw new HttpError(400, 'invalid Upload-Length')
      if (upload.length !== undefined && upload.length !== Number(length) && !has('mutableLength')) {
        throw new HttpError(400, 'Upload-Length cannot change')
      }
      upload.length = Number(length)
    }
    const declared = Number(header(req, 'content-length') ?? 0)
    if (upload.length !== undefined && offset + declared > upload.length && !has('overflowsLength')) {
      throw new HttpError(413, 'body goes past Upload-Length')
    }
    upload.busy = true
    try {
      const trailerChecksum = String(header(req, 'trailer') ?? '')
        .toLowerCase()
        .includes('upload-checksum')
      if (header(req, 'upload-checksum') !== undefined || trailerChecksum) {
        // Checksummed chunks are buffered: nothing is stored until the checksum is known to match.
        const body = await readBody(req)
        const checksum = header(req, 'upload-checksum') ?? req.trailers['upload-checksum']
        const skip = trailerChecksum ? has('ignoresChecksumTrailer') : has('ignoresChecksum')
        if (checksum !== undefined && !skip) verifyChecksum(checksum, body)
        write(upload, offset, body)
        upload.offset = offset + body.length
      } else {
        await receive(req, upload, offset)
      }
    } finally {
      upload.busy = false
    }
    const headers: Record<string, string> = { 'Upload-Offset': String(upload.offset) }
    if (upload.offset !== upload.length && !has('noExpiresOnPatch'))
      Object.assign(headers, expiresHeader(upload))
    send(res, has('patch200') ? 200 : 204, headers)
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body = '') {
    if (res.headersSent || res.destroyed) return
    if (!has('noTusResumable')) res.setHeader('Tus-Resumable', '1.0.0')
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
    res.writeHead(status)
    res.end(body)
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const override = header(req, 'x-http-method-override')
    const method = override && !has('ignoresMethodOverride') ? String(override).toUpperCase() : req.method
    const pathname = (req.url ?? '/').split('?')[0] ?? '/'
    if (method === 'OPTIONS') {
      return send(res, 204, {
        'Tus-Version': '1.0.0',
        'Tus-Extension': EXTENSIONS,
        'Tus-Max-Size': String(MAX_SIZE),
        'Tus-Checksum-Algorithm': ALGORITHMS.join(','),
      })
    }
    const target =
      pathname === BASE ? undefined : pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length + 1) : null
    if (target === null) throw new HttpError(404, 'not found')
    const owner = authenticate(req, method)
    if (method === 'GET') {
      if (target === undefined) throw new HttpError(405, 'GET needs an upload URL')
      const upload = find(target, owner)
      const data = upload.partials
        ? finalState(upload).data
        : upload.offset === upload.length
          ? upload.data.subarray(0, upload.offset)
          : undefined
      if (!data) throw new HttpError(404, 'upload not finished')
      res.setHeader('Content-Type', 'application/octet-stream')
      res.writeHead(200)
      res.end(data)
      return
    }
    if (header(req, 'tus-resumable') !== '1.0.0') {
      if (has('processesUnsupportedVersion') && method === 'PATCH' && target) {
        const upload = find(target, owner)
        const body = await readBody(req)
        write(upload, upload.offset, body)
        upload.offset += body.length
      }
      if (has('wrong412')) throw new HttpError(400, 'unsupported version')
      throw new HttpError(412, 'unsupported version', { 'Tus-Version': '1.0.0' })
    }
    if (target === undefined) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed')
      return create(req, res, owner)
    }
    const upload = find(target, owner)
    if (method === 'HEAD') return head(upload, res)
    if (method === 'PATCH') return patch(req, res, upload)
    if (method === 'DELETE') {
      uploads.delete(upload.id)
      return send(res, 204, {})
    }
    throw new HttpError(405, 'method not allowed')
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof HttpError ? error : new HttpError(500, 'internal error')
      // The body of a refused request is not read; closing the connection discards it.
      res.setHeader('Connection', 'close')
      send(res, e.status, e.headers, req.method === 'HEAD' ? '' : `${e.message}\n`)
      req.resume()
    })
  }
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${origin}${BASE}`,
    /** Owner A's and owner B's tokens when authentication is on. */
    tokens: authOn ? { ...REFERENCE_TOKENS } : undefined,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
