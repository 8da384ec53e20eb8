import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { startTusk } from '../../test-support/tusk.js'
import { until } from '../../test-support/until.js'
import { startupBanner } from '../src/banner.js'
import { parseConfig } from '../src/config/load.js'
import { toTuskError } from '../src/failures.js'
import { formatBytes, formatDuration } from '../src/human-units.js'
import { createLogger } from '../src/log.js'
import { formatRequest } from '../src/log-pretty.js'
import { createUpload, patch, TUS } from './helpers.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

/** A logger made by createLogger writing into memory: raw text, one entry per line. */
function captureLogger(format: Parameters<typeof createLogger>[2] = {}) {
  const text: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text.push(String(chunk))
      done()
    },
  })
  const logger = createLogger({ logLevel: 'info' }, sink, format)
  const lines = () => text.join('').split('\n').filter(Boolean)
  return { logger, lines, json: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>) }
}

/** Waits until the logger has written `count` request lines (a log line follows its answer). */
const requestsLogged = (count: number, lines: () => unknown[]) =>
  until(() => lines().length >= count, 5_000, `${count} log lines`)

/** Bytes of the upload on disk (the file store keeps them in `<dataDir>/<id>`). */
const storedBytes = async (dataDir: string, uploadUrl: string) =>
  (await stat(path.join(dataDir, String(uploadUrl.split('/').pop())))).size

/**
 * A PATCH that sends `sent` of its declared bytes, waits until the server has stored them (the data file's
 * size; a HEAD would take the upload over), then resets the connection and waits until `logged()` says
 * the server has logged the hang-up.
 */
async function patchAndHangUp(
  dataDir: string,
  uploadUrl: string,
  declared: number,
  sent: number,
  logged: () => boolean,
) {
  const url = new URL(uploadUrl)
  const socket = net.connect(Number(url.port), url.hostname)
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(
    `PATCH ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n` +
      `Content-Type: application/offset+octet-stream\r\nContent-Length: ${declared}\r\n\r\n`,
  )
  socket.write(Buffer.alloc(sent))
  await until(async () => (await storedBytes(dataDir, uploadUrl)) >= sent, 5_000, `${sent} bytes stored`)
  socket.resetAndDestroy()
  await until(logged, 5_000, 'the hang-up logged')
}

describe('logs for machines (JSON, when not on a terminal)', async () => {
  const { logger, json } = captureLogger()
  const server = await startTusk({ logLevel: 'info' }, { logger })

  it('writes one structured line per request with id, method, path, status, bytes, duration and upload id', async () => {
    const url = await createUpload(server.url, 5)
    await patch(url, 0, Buffer.from('hello'))
    await requestsLogged(2, json)
    const requests = json().filter((l) => l.msg === 'request')
    const create = requests.find((l) => l.method === 'POST')
    const write = requests.find((l) => l.method === 'PATCH')
    const id = url.split('/').pop()
    expect(create).toMatchObject({ status: 201, path: '/files', uploadId: id, level: 30 })
    expect(write).toMatchObject({ status: 204, path: `/files/${id}`, uploadId: id, level: 30 })
    for (const line of [create, write]) {
      expect(line?.reqId).toEqual(expect.any(String))
      expect(line?.ms).toEqual(expect.any(Number))
      expect(line?.bytesIn).toEqual(expect.any(Number))
      expect(line?.bytesOut).toBeGreaterThan(0)
    }
    expect(write?.bytesIn).toBeGreaterThanOrEqual(5)
  })

  it('logs a client hanging up mid-PATCH at info with the bytes it sent, not as an error', async () => {
    const url = await createUpload(server.url, 1_000_000)
    const before = json().length
    const hungUp = () =>
      json()
        .slice(before)
        .some((l) => l.method === 'PATCH' && l.aborted === true)
    await patchAndHangUp(server.dataDir, url, 1_000_000, 300_000, hungUp)
    const after = json().slice(before)
    expect(after.filter((l) => Number(l.level) >= 50)).toEqual([])
    const line = after.find((l) => l.msg === 'request' && l.method === 'PATCH')
    expect(line).toMatchObject({ level: 30, aborted: true, uploadId: url.split('/').pop() })
    expect(line?.bytesIn).toBeGreaterThanOrEqual(300_000)
  })

  it('logs an unexpected error with its cause and answers a generic message that leaks nothing', () => {
    const secret = new Error('EACCES: open /srv/secret/path')
    const answer = toTuskError(secret, logger, { method: 'PATCH', url: '/files/x' })
    expect(answer.status).toBe(500)
    expect(answer.message).toBe('internal server error')
    const logged = json().find((l) => l.msg === 'unexpected error while handling a request')
    expect(JSON.stringify(logged)).toContain('/srv/secret/path')
  })
})

describe('logs for people (a terminal)', async () => {
  const { logger, lines } = captureLogger({ pretty: true, colorize: false })
  const server = await startTusk({ logLevel: 'info' }, { logger })
  const time = String.raw`\[\d\d:\d\d:\d\d\.\d{3}\]`
  const duration = String.raw`\d+(\.\d+)? (ms|s)`

  it('writes one line per request: method, path, status, bytes and duration with units, upload id', async () => {
    const url = await createUpload(server.url, 5)
    const id = String(url.split('/').pop())
    await patch(url, 0, Buffer.from('hello'))
    await requestsLogged(2, lines)
    expect(lines()).toHaveLength(2)
    const [create, write] = lines()
    expect(create).toMatch(
      new RegExp(`^${time} INFO: POST /files 201 · \\d+ B in, \\d+ B out · ${duration} · upload ${id}$`),
    )
    expect(write).toMatch(
      new RegExp(`^${time} INFO: PATCH /files/${id} 204 · \\d+ B in, \\d+ B out · ${duration}$`),
    )
  })

  it('says a client hung up, on one info line with the bytes it sent', async () => {
    const url = await createUpload(server.url, 1_000_000)
    const before = lines().length
    await patchAndHangUp(server.dataDir, url, 1_000_000, 300_000, () =>
      lines()
        .slice(before)
        .some((l) => l.includes('PATCH')),
    )
    const after = lines().slice(before)
    expect(after).toHaveLength(1)
    expect(after[0]).toMatch(
      new RegExp(
        `^${time} INFO: PATCH /files/\\w+ client hung up · 29\\d\\.\\d KiB in, 0 B out · ${duration}$`,
      ),
    )
  })

  it("names an error answer's code after its status", () => {
    const line = { method: 'PATCH', path: '/files/abc', status: 409, code: 'ERR_OFFSET_MISMATCH' }
    expect(formatRequest({ ...line, bytesIn: 180, bytesOut: 2048, ms: 1.53 })).toBe(
      'PATCH /files/abc 409 ERR_OFFSET_MISMATCH · 180 B in, 2.0 KiB out · 1.5 ms',
    )
  })

  it('keeps other entries on one line with their message and fields', () => {
    logger.warn({ count: 3 }, 'something to look at')
    expect(lines().at(-1)).toMatch(new RegExp(`^${time} WARN: something to look at \\{"count":3\\}$`))
  })
})

describe('units for people', () => {
  it('prints sizes in one (binary) unit system and durations in ms, s, min or h', () => {
    expect([0, 312, 5 * 2 ** 20, 1.5 * 2 ** 30].map(formatBytes)).toEqual([
      '0 B',
      '312 B',
      '5.0 MiB',
      '1.5 GiB',
    ])
    expect([0.42, 12.3, 1_520, 123_000, 86_400_000, 5_400_000].map(formatDuration)).toEqual([
      '0.4 ms',
      '12 ms',
      '1.52 s',
      '2 min 3 s',
      '24 h',
      '1 h 30 min',
    ])
  })

  it('starts the banner with the URL, then the configuration with units and no secrets', () => {
    const config = parseConfig({ store: 's3', s3Bucket: 'b', s3AccessKeyId: 'id', s3SecretAccessKey: 'hush' })
    const banner = startupBanner('http://127.0.0.1:1080/files', config)
    const [first, ...rest] = banner.trimEnd().split('\n')
    expect(first).toBe('Tusk is serving tus uploads at http://127.0.0.1:1080/files')
    expect(rest.length).toBeLessThanOrEqual(8)
    for (const line of rest) expect(line.length).toBeLessThanOrEqual(100)
    const text = rest.join('\n')
    for (const shown of ['maxSize 10 GiB', 's3PartSize 8 MiB', 'uploadExpiry 24 h', 'idleTimeout 1 min']) {
      expect(text).toContain(shown)
    }
    expect(text).toContain('requestTimeout off')
    expect(text).toContain('s3SecretAccessKey [redacted]')
    expect(text).not.toContain('hush')
  })
})

describe('tusk-server on a terminal (under a pseudo-terminal made by script)', () => {
  it('prints the banner URL first and one readable line per request', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-log-tty-'))
    const command = `exec node ${MAIN} --port 0 --data-dir ${dataDir}`
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] })
    let screen = ''
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString()
    })
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 200 && !pattern.test(screen); i++) await new Promise((r) => setTimeout(r, 50))
      return pattern.exec(screen)
    }
    try {
      const url = (await waitFor(/Tusk is serving tus uploads at (\S+)/))?.[1]
      expect(url).toBeDefined()
      const plain = () => stripVTControlCharacters(screen).replace(/\r/g, '')
      expect(plain().split('\n')[0]).toBe(`Tusk is serving tus uploads at ${url}`)
      await fetch(String(url), { method: 'OPTIONS', headers: TUS })
      await waitFor(/OPTIONS/)
      const output = plain().split('\n')
      expect(output.filter((line) => line.includes('OPTIONS'))).toEqual([
        expect.stringMatching(
          /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: OPTIONS \/files 204 · \d+ B in, \d+ B out · [\d.]+ (ms|s)$/,
        ),
      ])
      expect(output.some((line) => line.includes('maxSize 10 GiB'))).toBe(true)
      expect(plain()).not.toContain('"msg"')
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
