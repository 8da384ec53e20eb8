import { createHash, randomBytes } from 'node:crypto'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseDictionary, parseItem, serializeDictionary, serializeItem } from 'structured-headers'
import type { IetfDefect } from './defects.js'

// A small in-memory server of the IETF draft "Resumable Uploads for HTTP" (interop 9, 8 and 6),
// written only to test the ietf group: with no defect it passes every check; each defect breaks one
// rule. It knows nothing of tus (a request without a known interop version gets a plain 412), so it
// also shows that the group runs against a server that speaks only the draft. Not for production.

const BASE = '/files'
const MAX_SIZE = 1_000_000
const LIFETIME = 3600
const VERSIONS = [9, 8, 6]
const PARTIAL_UPLOAD = 'application/partial-upload'
const PROBLEM = 'https://iana.org/assignments/http-problem-types#'

interface Upload {
  data: Buffer
  length?: number
  complete: boolean
  /** The Repr-Digest sent on creation (sha-256), checked at completion. */
  reprDigest?: Buffer
}

const DIGEST_ALGORITHMS: Record<string, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' }

export interface IetfDoubleOptions {
  /** Send 104 Upload Resumption Supported on creation (a correct server may be unable to). Default true. */
  send104?: boolean
  /** Verify Content-Digest and Repr-Digest (RFC 9530 lets a server ignore both). Default true. */
  verifiesDigests?: boolean
  /** Enforce and advertise max-size in Upload-Limit (the draft makes every limit optional). Default true. */
  limitsSize?: boolean
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly problem?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`refused with ${status}`)
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function startIetfDouble(defects: IetfDefect[] = [], options: IetfDoubleOptions = {}) {
  const has = (defect: IetfDefect) => defects.includes(defect)
  const uploads = new Map<string, Upload>()

  /** A structured Item of the request, or undefined when absent or invalid (the draft ignores it). */
  function item(req: IncomingMessage, name: string): unknown {
    const value = req.headers[name]
    if (typeof value !== 'string') return undefined
    if (has('looseFields') && (name === 'upload-length' || name === 'upload-offset')) {
      const loose = Number.parseInt(value, 10)
      return Number.isNaN(loose) ? undefined : loose
    }
    try {
      return parseItem(value)[0]
    } catch {
      return undefined
    }
  }
  const integer = (req: IncomingMessage, name: string) => {
    const value = item(req, name)
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
  }
  const boolean = (req: IncomingMessage, name: string) => {
    const value = item(req, name)
    return typeof value === 'boolean' ? value : undefined
  }

  /** A digest field (RFC 9530) as [algorithm, bytes] of its first sha-256/sha-512 member. */
  function digestOf(req: IncomingMessage, name: string): [string, Buffer] | undefined {
    if (options.verifiesDigests === false) return undefined
    const value = req.headers[name]
    if (typeof value !== 'string') return undefined
    try {
      for (const [key, [bytes]] of parseDictionary(value)) {
        const algorithm = DIGEST_ALGORITHMS[key]
        if (algorithm && bytes instanceof ArrayBuffer) return [algorithm, Buffer.from(bytes)]
      }
    } catch {
      // An invalid field is ignored.
    }
    return undefined
  }
  const digestMatches = ([algorithm, expected]: [string, Buffer], content: Buffer) =>
    createHash(algorithm).update(content).digest().equals(expected)

  /** Completion: the whole upload against its Repr-Digest; a mismatch deletes it (400). */
  function verifyRepresentation(id: string, upload: Upload, byCreation: boolean) {
    if (!upload.reprDigest || (has('reprOnlyInOneRequest') && !byCreation)) return
    if (digestMatches(['sha256', upload.reprDigest], upload.data)) return
    if (has('reprMismatchKept')) upload.complete = true
    else uploads.delete(id)
    throw new Refusal(400, { title: 'Repr-Digest does not match the upload' })
  }

  const limit = (version: number) =>
    serializeDictionary({
      ...(options.limitsSize === false ? {} : { 'max-size': MAX_SIZE }),
      'min-size': 0,
      [version === 6 || has('expiresIn9') ? 'expires' : 'max-age']: LIFETIME,
    })

  function state(upload: Upload, version: number, acknowledgement = false): Record<string, string> {
    const fields: Record<string, string> = {
      'Upload-Offset': serializeItem(upload.data.length),
      'Upload-Complete': serializeItem(upload.complete),
      'Upload-Limit': limit(version),
    }
    if (upload.length !== undefined) fields['Upload-Length'] = serializeItem(upload.length)
    if (acknowledgement && has('noUploadOffset')) delete fields['Upload-Offset']
    return fields
  }

  function answer(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer) {
    res.writeHead(status, { ...headers, 'Content-Length': String(body?.length ?? 0) })
    res.end(body)
  }

  function refuse(res: ServerResponse, refusal: Refusal) {
    const body = refusal.problem
      ? Buffer.from(JSON.stringify({ status: refusal.status, ...refusal.problem }))
      : undefined
    const headers = body
      ? { ...refusal.headers, 'Content-Type': 'application/problem+json' }
      : refusal.headers
    answer(res, refusal.status, headers, body)
  }

  const inconsistent = (declared: number, sent: number) =>
    new Refusal(
      400,
      { type: `${PROBLEM}inconsistent-upload-length`, title: `length ${declared}, content ${sent}` },
      { 'Upload-Complete': '?0' },
    )

  /** The upload's interop version or none: a missing or unknown one is not the draft. */
  function versionOf(req: IncomingMessage): number | undefined {
    if (req.headers['upload-draft-interop-version'] === undefined) return undefined
    const version = integer(req, 'upload-draft-interop-version')
    if (version !== undefined && VERSIONS.includes(version)) return version
    return has('unknownAsNewest') ? 9 : undefined
  }

  async function create(req: IncomingMessage, res: ServerResponse, version: number) {
    const complete = boolean(req, 'upload-complete')
    if (complete === undefined) throw new Refusal(400, { title: 'Upload-Complete is required' })
    const header = req.headers['content-length']
    const sent = header === undefined ? undefined : Number(header)
    let length = integer(req, 'upload-length')
    if (!has('ignoresInconsistentLength')) {
      if (complete && sent !== undefined && length !== undefined && sent !== length)
        throw inconsistent(length, sent)
      if (!complete && sent !== undefined && length !== undefined && sent > length)
        throw inconsistent(length, sent)
    }
    if (complete && sent !== undefined) length = sent
    const limited = options.limitsSize !== false && !has('ignoresMaxSize')
    if (length !== undefined && length > MAX_SIZE && limited)
      throw new Refusal(
        413,
        { title: `length ${length} above max-size ${MAX_SIZE}` },
        has('bare413') ? {} : { 'Upload-Limit': limit(version) },
      )
    const id = randomBytes(12).toString('hex')
    const repr = digestOf(req, 'repr-digest')
    const upload: Upload = {
      data: Buffer.alloc(0),
      length,
      complete: false,
      reprDigest: repr?.[0] === 'sha256' ? repr[1] : undefined,
    }
    uploads.set(id, upload)
    const location = `${BASE}/${id}`
    if (options.send104 !== false) {
      // Node 20 has no res.writeInformation: the interim answer goes on the wire before the final one.
      const where = has('wrong104Location') ? `${BASE}/${randomBytes(12).toString('hex')}` : location
      req.socket.write(
        `HTTP/1.1 104 Upload Resumption Supported\r\nLocation: ${where}\r\nUpload-Limit: ${limit(version)}\r\nUpload-Draft-Interop-Version: ${version}\r\n\r\n`,
      )
    }
    // What arrives is kept as it comes, so a cut creation can be resumed.
    try {
      for await (const chunk of req) upload.data = Buffer.concat([upload.data, chunk as Buffer])
    } catch {
      // The client went away: the upload stays, incomplete unless the defect says otherwise.
      if (has('completesInterrupted')) upload.complete = true
      return
    }
    if (complete) verifyRepresentation(id, upload, true)
    upload.complete = complete
    answer(res, 201, { Location: location, ...state(upload, version, true) })
  }

  async function append(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    upload: Upload,
    version: number,
  ) {
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim()
    if (type !== PARTIAL_UPLOAD) throw new Refusal(415, { title: `Content-Type must be ${PARTIAL_UPLOAD}` })
    const offset = integer(req, 'upload-offset')
    const complete = boolean(req, 'upload-complete')
    if (offset === undefined || complete === undefined)
      throw new Refusal(400, { title: 'Upload-Offset and Upload-Complete are required' })
    if (upload.complete && has('appendsToCompleted')) {
      upload.data = Buffer.concat([upload.data, await readBody(req)])
      answer(res, 204, state(upload, version, true))
      return
    }
    if (upload.complete) {
      if (version === 9 || (version === 8 && has('replaysIn8'))) {
        answer(res, 204, state(upload, version, true))
        return
      }
      if (version === 8)
        throw new Refusal(
          410,
          { type: `${PROBLEM}completed-upload`, title: 'upload is complete' },
          { 'Upload-Complete': '?1' },
        )
      throw new Refusal(400, { title: 'upload is complete' })
    }
    if (offset !== upload.data.length) {
      const problem = has('noProblemDetails')
        ? undefined
        : {
            type: `${PROBLEM}mismatching-upload-offset`,
            title: 'offset mismatch',
            'expected-offset': upload.data.length,
            'provided-offset': offset,
          }
      throw new Refusal(has('mismatch400') ? 400 : 409, problem, {
        'Upload-Offset': serializeItem(upload.data.length),
        'Upload-Complete': '?0',
      })
    }
    const header = req.headers['content-length']
    const sent = header === undefined ? undefined : Number(header)
    if (
      complete &&
      sent !== undefined &&
      upload.length !== undefined &&
      offset + sent !== upload.length &&
      !has('ignoresInconsistentLength')
    )
      throw inconsistent(upload.length, offset + sent)
    const body = await readBody(req)
    // Another append may have landed while this one was read: appending now would mix two histories.
    if (offset !== upload.data.length && !has('racyAppends'))
      throw new Refusal(
        409,
        {
          type: `${PROBLEM}mismatching-upload-offset`,
          'expected-offset': upload.data.length,
          'provided-offset': offset,
        },
        { 'Upload-Offset': serializeItem(upload.data.length), 'Upload-Complete': '?0' },
      )
    if (upload.length !== undefined && offset + body.length > upload.length && !has('overflowsLength'))
      throw new Refusal(400, { title: 'beyond the upload length' })
    const digest = digestOf(req, 'content-digest')
    const hexCompared = (found: [string, Buffer]) =>
      Buffer.from(createHash(found[0]).update(body).digest('hex')).equals(found[1])
    if (digest && !(has('digestHexCompare') ? hexCompared(digest) : digestMatches(digest, body))) {
      if (has('digestKeepsContent')) upload.data = Buffer.concat([upload.data, body])
      throw new Refusal(400, { title: 'Content-Digest does not match the content' })
    }
    upload.data = Buffer.concat([upload.data, body])
    if (complete) verifyRepresentation(id, upload, false)
    if (complete) upload.complete = true
    answer(res, 204, state(upload, version, true))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://double')
    const id = url.pathname.startsWith(`${BASE}/`) ? url.pathname.slice(BASE.length + 1) : undefined
    const upload = id === undefined ? undefined : uploads.get(id)
    const version = versionOf(req)
    // A plain GET (no draft) of a completed upload downloads it.
    if (req.method === 'GET' && (version === undefined || (version === 9 && has('getDownloadsIn9')))) {
      if (upload?.complete) answer(res, 200, { 'Content-Type': 'application/octet-stream' }, upload.data)
      else answer(res, 404, {})
      return
    }
    if (version === undefined) {
      // Not the draft, and this server speaks nothing else.
      answer(res, 412, { 'Content-Type': 'text/plain' }, Buffer.from('name an interop version: 9, 8 or 6'))
      return
    }
    if (id === undefined) {
      if (url.pathname !== BASE) throw new Refusal(404)
      if (req.method === 'OPTIONS') {
        const accept: Record<string, string> = version === 6 ? {} : { 'Accept-Patch': PARTIAL_UPLOAD }
        answer(res, 204, { 'Upload-Limit': limit(version), ...accept })
        return
      }
      if (req.method === 'POST') return create(req, res, version)
      throw new Refusal(405)
    }
    if (!upload) throw new Refusal(404, { title: 'no such upload' })
    const method = req.method === 'GET' && version === 9 ? 'HEAD' : req.method
    if (method === 'HEAD') {
      const cache: Record<string, string> = has('noCacheControl') ? {} : { 'Cache-Control': 'no-store' }
      answer(res, 204, { ...state(upload, version), ...cache })
      return
    }
    if (method === 'PATCH') return append(req, res, id, upload, version)
    if (method === 'DELETE') {
      if (!has('deleteKeeps') && id !== undefined) uploads.delete(id)
      answer(res, 204, {})
      return
    }
    throw new Refusal(405)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof Refusal) {
        // The request's body may be unread: drain it, so the client can finish sending.
        req.resume()
        refuse(res, error)
      } else {
        res.writeHead(500)
        res.end(String(error))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${BASE}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
