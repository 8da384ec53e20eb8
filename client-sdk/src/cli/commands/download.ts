import { createWriteStream } from 'node:fs'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import { ProgressTracker } from '../../core/progress.js'
import { httpRequest, refusedToken, responseReason } from '../http.js'
import { collect, parseHeaders, parseUploadUrl } from '../parse.js'
import { createProgressView } from '../progress-view.js'
import { addTokenOption, type TokenFlags, withToken } from '../token.js'
import { CommandFailure, EXIT } from '../usage-error.js'

interface PartInfo {
  url: string
  etag: string | null
}

/** Bytes already in `<out>.part` from an earlier run of the same URL (0 when there is none). */
async function partialBytes(
  part: string,
  sidecar: string,
  url: string,
): Promise<{ bytes: number; etag: string | null }> {
  const info = await readFile(sidecar, 'utf8')
    .then((text) => JSON.parse(text) as PartInfo)
    .catch(() => null)
  const size = await stat(part).then(
    (s) => s.size,
    () => 0,
  )
  if (info?.url !== url || size === 0) return { bytes: 0, etag: null }
  return { bytes: size, etag: info.etag }
}

export function registerDownload(program: Command, setExit: (code: number) => void): void {
  addTokenOption(program.command('download'))
    .description('download a finished upload, resuming a partial download with Range')
    .argument('<url>', 'upload URL')
    .option('-o, --output <file>', 'where to write (default: the last part of the URL)')
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print machine-readable results')
    .action(
      async (target: string, flags: TokenFlags & { output?: string; header: string[]; json?: boolean }) => {
        const url = parseUploadUrl(target)
        const headers = withToken(parseHeaders(flags.header), flags)
        const out = resolve(flags.output ?? (basename(new URL(url).pathname) || 'download'))
        const part = `${out}.part`
        const sidecar = `${out}.part.json`
        const abort = new AbortController()
        let interrupted = false
        const stop = () => {
          interrupted = true
          abort.abort()
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        try {
          let { bytes: have, etag } = await partialBytes(part, sidecar, url)
          const get = (from: number) =>
            httpRequest(url, {
              headers: {
                ...headers,
                ...(from > 0 ? { Range: `bytes=${from}-`, ...(etag ? { 'If-Range': etag } : {}) } : {}),
              },
              signal: abort.signal,
            })
          let res = await get(have)
          if (res.status === 416) {
            // Nothing left past our bytes: complete if the sizes agree, otherwise start over.
            const total = Number(/\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')?.[1] ?? -1)
            await res.body?.cancel()
            if (total !== have) {
              have = 0
              res = await get(0)
            }
          }
          if (res.status === 401) throw await refusedToken('GET', url, res, headers)
          if (res.status !== 200 && res.status !== 206 && res.status !== 416) {
            throw new CommandFailure(`GET ${url} failed with ${res.status}${await responseReason(res)}.`)
          }
          if (res.status === 200) have = 0
          if (res.status === 206) {
            const start = Number(/bytes (\d+)-/.exec(res.headers.get('Content-Range') ?? '')?.[1] ?? -1)
            if (start !== have) throw new CommandFailure(`the server resumed at byte ${start}, not ${have}.`)
          }
          if (res.status !== 416) {
            const length = Number(res.headers.get('Content-Length') ?? Number.NaN)
            const total = Number.isFinite(length) ? have + length : null
            await writeFile(
              sidecar,
              JSON.stringify({ url, etag: res.headers.get('ETag') } satisfies PartInfo),
            )
            const view = createProgressView({ json: Boolean(flags.json) })
            const tracker = new ProgressTracker()
            tracker.total = total
            view.add('0', basename(out), total)
            let received = have
            const count = new Transform({
              transform(chunk: Buffer, _encoding, callback) {
                received += chunk.length
                tracker.setSent(received)
                tracker.setAcknowledged(out, received, true)
                view.update('0', tracker.snapshot())
                callback(null, chunk)
              },
            })
            try {
              await pipeline(
                Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]),
                count,
                createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }),
                { signal: abort.signal },
              )
            } finally {
              view.stop()
            }
          }
          await rename(part, out)
          await rm(sidecar, { force: true })
          const size = (await stat(out)).size
          if (flags.json)
            process.stdout.write(`${JSON.stringify({ file: out, size, resumedFrom: have }, null, 2)}\n`)
          else
            process.stdout.write(
              `Saved ${out} (${size} bytes${have > 0 ? `, resumed at byte ${have}` : ''})\n`,
            )
        } catch (error) {
          if (!interrupted) throw error
          process.stderr.write(
            `Interrupted: ${part} keeps what arrived; run the same command again to resume.\n`,
          )
          setExit(EXIT.interrupted)
        } finally {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
        }
      },
    )
}
