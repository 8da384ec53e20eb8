import { type HttpRequest as TusHttpRequest, Upload, type UploadOptions } from 'tus-js-client'
import { type Context, pattern } from '../context.js'
import type { Check } from '../types.js'
import { group } from './define.js'

const check = group('e2e')
const SECTION = 'Core Protocol, driven by tus-js-client'
const CHUNK = 64 * 1024

/** tus-js-client options shared by every e2e check: the run's headers, no retries, no URL storage. */
function options(ctx: Context, extra: Partial<UploadOptions>): UploadOptions {
  return {
    endpoint: ctx.url,
    headers: ctx.userHeaders,
    chunkSize: CHUNK,
    retryDelays: [],
    storeFingerprintForResuming: false,
    removeFingerprintOnSuccess: false,
    uploadDataDuringCreation: false,
    ...extra,
  }
}

/** Runs one tus-js-client upload to its end (success, error, or our own abort). */
function drive(data: Buffer, opts: UploadOptions, abortWhen?: (bytesSent: number) => boolean) {
  return new Promise<{ url: string; aborted: boolean; patchOffsets: string[] }>((resolve, reject) => {
    const patchOffsets: string[] = []
    let aborted = false
    const finish = () =>
      upload.url
        ? resolve({ url: upload.url, aborted, patchOffsets })
        : reject(new Error('tus-js-client ended without an upload URL'))
    const upload: Upload = new Upload(data, {
      ...opts,
      onBeforeRequest(req: TusHttpRequest) {
        if (req.getMethod() === 'PATCH') patchOffsets.push(req.getHeader('Upload-Offset') ?? '?')
      },
      onProgress(bytesSent) {
        if (!aborted && abortWhen?.(bytesSent)) {
          aborted = true
          // Mid-request: the PATCH in flight is cut, as when a laptop lid closes.
          upload.abort().then(finish, reject)
        }
      },
      onSuccess: finish,
      onError: (error) => reject(new Error(`tus-js-client: ${error.message.split('\n')[0]}`)),
    })
    upload.start()
  })
}

async function tusJs(ctx: Context, run: () => Promise<void>) {
  try {
    await run()
  } catch (error) {
    if (error instanceof Error && error.name === 'CheckFailure') throw error
    ctx.fail((error as Error).message)
  }
}

export const e2eChecks: Check[] = [
  check(
    'chunked-upload',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'tus-js-client uploads a file in 64 KiB chunks and the server holds exactly its bytes',
      requires: ['creation'],
    },
    async (ctx) =>
      tusJs(ctx, async () => {
        const data = pattern(300 * 1024, 80)
        const { url, patchOffsets } = await drive(data, options(ctx, { metadata: { filename: 'e2e.bin' } }))
        ctx.expect(
          patchOffsets.length === 5,
          `expected 5 PATCHes of 64 KiB, tus-js-client sent ${patchOffsets.length}`,
        )
        await ctx.verifyBytes(url, data)
      }),
  ),
  check(
    'interrupt-resume',
    {
      section: SECTION,
      level: 'MUST',
      rule: 'an upload cut mid-PATCH resumes from the offset HEAD reports and ends byte-exact',
      requires: ['creation'],
    },
    async (ctx) =>
      tusJs(ctx, async () => {
        const data = pattern(400 * 1024, 81)
        const first = await drive(data, options(ctx, {}), (sent) => sent > CHUNK * 2.5)
        ctx.expect(first.aborted, 'the first session was not interrupted as planned')
        const second = await drive(data, options(ctx, { uploadUrl: first.url }))
        const resumedAt = Number(second.patchOffsets[0])
        ctx.expect(
          resumedAt >= CHUNK * 2,
          `the second session started at offset ${second.patchOffsets[0]}, not where the first stopped (≥ ${CHUNK * 2})`,
        )
        await ctx.verifyBytes(first.url, data)
      }),
  ),
  check(
    'creation-with-upload',
    {
      section: 'Creation With Upload, driven by tus-js-client',
      level: 'MUST',
      rule: 'tus-js-client sends the first chunk with the POST and finishes by PATCH',
      requires: ['creation-with-upload'],
    },
    async (ctx) =>
      tusJs(ctx, async () => {
        const data = pattern(150 * 1024, 82)
        const { url, patchOffsets } = await drive(data, options(ctx, { uploadDataDuringCreation: true }))
        ctx.expect(
          patchOffsets[0] === String(CHUNK),
          `the first PATCH went to offset ${patchOffsets[0]}, expected ${CHUNK}`,
        )
        await ctx.verifyBytes(url, data)
      }),
  ),
  check(
    'parallel-upload',
    {
      section: 'Concatenation, driven by tus-js-client',
      level: 'MUST',
      rule: 'tus-js-client uploads 3 parts in parallel and concatenates them byte-exact',
      requires: ['creation', 'concatenation'],
    },
    async (ctx) =>
      tusJs(ctx, async () => {
        const data = pattern(200 * 1024, 83)
        const { url } = await drive(data, options(ctx, { parallelUploads: 3 }))
        await ctx.verifyBytes(url, data)
      }),
  ),
]
