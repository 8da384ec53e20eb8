import { type HttpRequest, type HttpResponse, request } from './http.js'
import type { AuthTokens, Discovery, Exchange, IetfSelection } from './types.js'

export const TUS_VERSION = '1.0.0'
export const OCTET_STREAM = 'application/offset+octet-stream'

/** Thrown by a check to fail with a reason and, when it helps, the exchange that showed it. */
export class CheckFailure extends Error {
  override name = 'CheckFailure'
  constructor(
    message: string,
    readonly exchange?: Exchange,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Thrown by a check that cannot run against this server (not a failure of the server). */
export class CheckSkip extends Error {
  override name = 'CheckSkip'
}

/** Deterministic, seed-dependent bytes, so two bodies never look alike by accident. */
export function pattern(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 97 + (i >> 8) * 13) & 0xff
  return out
}

export const b64 = (value: string | Uint8Array) => Buffer.from(value).toString('base64')

/** State shared by all checks of one run. */
export interface RunState {
  /** Whether GET on a finished upload returns its bytes; learned by the first check that tries. */
  downloads?: boolean
  /** Upload URLs created during the run, terminated at the end when the server allows it. */
  created: string[]
  /** Upload URLs created by the ietf group, cancelled at the end with the draft's DELETE. */
  createdIetf?: string[]
}

export interface SendOptions extends Omit<HttpRequest, 'method' | 'url' | 'headers'> {
  /** Header values; `undefined` removes a default (e.g. `'Tus-Resumable': undefined`). */
  headers?: Record<string, string | string[] | undefined>
}

export interface CreateOptions {
  length?: number
  defer?: boolean
  /** Raw Upload-Metadata header value. */
  metadata?: string
  concat?: string
  /** creation-with-upload: bytes sent in the POST body. */
  body?: Uint8Array
  headers?: Record<string, string | undefined>
}

/** What a check gets: the endpoint, what OPTIONS said, and helpers that record every exchange. */
export class Context {
  readonly exchanges: Exchange[] = []
  readonly notes: string[] = []

  constructor(
    readonly url: string,
    readonly discovery: Discovery,
    readonly userHeaders: Record<string, string>,
    private readonly state: RunState,
    /** Two owners' tokens, when given; userHeaders then already carry A's. */
    readonly tokens?: AuthTokens,
    /** The IETF draft version the ietf group checks, when that group was asked for. */
    readonly ietf?: IetfSelection,
  ) {}

  /** Records an upload the ietf group created, so the run cancels it at the end. */
  createdByDraft(url: string): void {
    this.state.createdIetf ??= []
    this.state.createdIetf.push(url)
  }

  announces(extension: string): boolean {
    return this.discovery.extensions.includes(extension)
  }

  /** Any request; adds the user's headers and `Tus-Resumable: 1.0.0` unless told otherwise. */
  async send(method: string, url: string, options: SendOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string | string[] | undefined> = { ...this.userHeaders }
    if (method !== 'OPTIONS') headers['Tus-Resumable'] = TUS_VERSION
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      for (const existing of Object.keys(headers))
        if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing]
      headers[name] = value
    }
    try {
      const res = await request({ ...options, method, url, headers })
      this.exchanges.push(res.exchange)
      return res
    } catch (error) {
      const message = (error as Error).message
      this.exchanges.push({
        request: message.split(' -> ')[0] ?? message,
        response: message.split(' -> ')[1] ?? 'no response',
      })
      throw new CheckFailure(message, undefined, { cause: error })
    }
  }

  fail(message: string, res?: HttpResponse): never {
    throw new CheckFailure(message, res?.exchange)
  }

  /** Ends the check as SKIP: the rule does not apply to this server (e.g. it announces no Tus-Max-Size). */
  notApplicable(reason: string): never {
    throw new CheckSkip(reason)
  }

  note(text: string): void {
    this.notes.push(text)
  }

  expect(condition: unknown, message: string, res?: HttpResponse): void {
    if (!condition) this.fail(message, res)
  }

  expectStatus(res: HttpResponse, allowed: number | number[], what: string): void {
    const list = Array.isArray(allowed) ? allowed : [allowed]
    if (!list.includes(res.status))
      this.fail(`${what}: expected ${list.join(' or ')}, got ${res.status}`, res)
  }

  /** Any 4xx; a 5xx, 2xx or 3xx fails with the given description. */
  expectClientError(res: HttpResponse, what: string): void {
    if (res.status < 400 || res.status > 499) this.fail(`${what}: expected a 4xx, got ${res.status}`, res)
  }

  resolve(location: string, base = this.url): string {
    return new URL(location, base).href
  }

  /** POST to the creation URL; fails the check when no upload comes out of it. */
  async create(options: CreateOptions | number = {}): Promise<{ url: string; res: HttpResponse }> {
    const o = typeof options === 'number' ? { length: options } : options
    const headers: Record<string, string | undefined> = { ...o.headers }
    if (o.length !== undefined) headers['Upload-Length'] = String(o.length)
    if (o.defer) headers['Upload-Defer-Length'] = '1'
    if (o.metadata !== undefined) headers['Upload-Metadata'] = o.metadata
    if (o.concat !== undefined) headers['Upload-Concat'] = o.concat
    if (o.body) headers['Content-Type'] = OCTET_STREAM
    const res = await this.send('POST', this.url, { headers, body: o.body ?? new Uint8Array(0) })
    const location = res.headers.location
    if (res.status !== 201 || !location) {
      this.fail(`could not create an upload: expected 201 with Location, got ${res.status}`, res)
    }
    const url = this.resolve(location)
    this.state.created.push(url)
    return { url, res }
  }

  head(url: string, headers?: SendOptions['headers']): Promise<HttpResponse> {
    return this.send('HEAD', url, { headers })
  }

  patch(
    url: string,
    offset: number | string,
    body: Uint8Array,
    options: SendOptions = {},
  ): Promise<HttpResponse> {
    return this.send('PATCH', url, {
      ...options,
      headers: { 'Content-Type': OCTET_STREAM, 'Upload-Offset': String(offset), ...options.headers },
      body,
    })
  }

  /** PATCH that must succeed: 204 with the new offset. */
  async append(url: string, offset: number, body: Uint8Array): Promise<HttpResponse> {
    const res = await this.patch(url, offset, body)
    this.expectStatus(res, 204, `PATCH of ${body.length} bytes at offset ${offset}`)
    this.expect(
      res.headers['upload-offset'] === String(offset + body.length),
      `PATCH answered Upload-Offset ${res.headers['upload-offset']}, expected ${offset + body.length}`,
      res,
    )
    return res
  }

  /** The upload's offset by HEAD; fails when HEAD does not give a number. */
  async offsetOf(url: string): Promise<number> {
    const res = await this.head(url)
    const value = res.headers['upload-offset']
    if (![200, 204].includes(res.status) || value === undefined || !/^\d+$/.test(value)) {
      this.fail(`HEAD did not report an Upload-Offset (status ${res.status})`, res)
    }
    return Number(value)
  }

  /** GET of a finished upload, when the server serves downloads (tus does not require it). */
  async download(url: string): Promise<Buffer | undefined> {
    if (this.state.downloads === false) return undefined
    const res = await this.send('GET', url, { headers: { 'Tus-Resumable': undefined } })
    if (res.status !== 200) {
      this.state.downloads ??= false
      return undefined
    }
    this.state.downloads = true
    return res.body
  }

  /**
   * The finished upload holds exactly `expected`: by GET when the server serves downloads, else by
   * HEAD (offset and length), noted in the result so a reader knows the bytes themselves went unseen.
   */
  async verifyBytes(url: string, expected: Buffer, what = 'upload'): Promise<void> {
    const head = await this.head(url)
    this.expect(
      head.headers['upload-offset'] === String(expected.length),
      `${what}: HEAD Upload-Offset is ${head.headers['upload-offset']}, expected ${expected.length}`,
      head,
    )
    const got = await this.download(url)
    if (got === undefined) {
      this.note('bytes verified by offsets only (the server serves no GET download)')
      return
    }
    if (!got.equals(expected)) {
      const at = firstDifference(got, expected)
      this.fail(
        `${what}: GET returned ${got.length} bytes that differ from the ${expected.length} sent (first difference at byte ${at})`,
        {
          ...head,
          exchange: this.exchanges.at(-1) ?? head.exchange,
        },
      )
    }
  }
}

export function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}
