import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { s3OwnBucket, s3Settings } from '../../../test-support/services.js'
import { startTusk } from '../../../test-support/tusk.js'
import type { TuskServer } from '../../src/index.js'
import { create, download, head, patch, TUS } from './helpers.js'

// The request that finishes a final upload's last partial also assembles the final
// (concatenation-unfinished). That assembly is a side effect: the partial's own bytes are stored by
// then, so the append answers as an append, whatever becomes of the assembly.

const idOf = (url: string) => url.split('/').pop() as string

/** Two partials (the first finished), and a final over both, waiting for the second. */
async function waitingFinal(server: TuskServer) {
  const pa = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': '6' })
  const pb = await create(server, { 'Upload-Concat': 'partial', 'Upload-Length': '4' })
  expect((await patch(pa, 0, 'abcdef')).status).toBe(204)
  const created = await fetch(server.url, {
    method: 'POST',
    headers: { ...TUS, 'Upload-Concat': `final;${new URL(pa).pathname} ${new URL(pb).pathname}` },
  })
  expect(created.status).toBe(201)
  return { pb, final: new URL(created.headers.get('location') as string, server.url).href }
}

describe('an assembly that fails while a partial is finished', () => {
  it('does not fail the append: the PATCH answers 204, the failure is logged, and the next read assembles the final', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const server = await startTusk({}, { logger })
    const { pb, final } = await waitingFinal(server)
    const store = server.store as { concatenate?: (...args: never[]) => Promise<void> }
    const concatenate = store.concatenate
    store.concatenate = async () => {
      throw new Error('disk on fire')
    }

    const res = await patch(pb, 0, 'ghij')
    expect(res.status).toBe(204)
    expect(res.headers.get('upload-offset')).toBe('4')
    expect(lines.find((l) => l.uploadId === idOf(final))).toMatchObject({
      level: 40,
      err: expect.objectContaining({ message: 'disk on fire' }),
    })
    // Still waiting, with its marker kept for the next try.
    expect((await head(final)).headers.get('upload-offset')).toBeNull()
    expect(await server.store.pendingConcatenations?.waitingFor(idOf(pb))).toEqual([idOf(final)])

    store.concatenate = concatenate
    expect((await head(final)).headers.get('upload-offset')).toBe('10')
    expect((await download(final)).toString()).toBe('abcdefghij')
  })
})

describe("a final's pre-finish hook that fails when a partial's PATCH assembles it", () => {
  it("is still that PATCH's answer (503 ERR_HOOK_FAILED), as for an upload it finishes; the final is complete", async () => {
    const server = await startTusk(
      {},
      {
        hooks: {
          'pre-finish': (event) => {
            if (event.upload.isFinal) throw new Error('the scanner is down')
          },
        },
      },
    )
    const { pb, final } = await waitingFinal(server)
    const res = await patch(pb, 0, 'ghij')
    expect(res.status).toBe(503)
    expect(await res.text()).toMatch(/ERR_HOOK_FAILED/)
    expect((await head(pb)).headers.get('upload-offset')).toBe('4')
    expect((await head(final)).headers.get('upload-offset')).toBe('10')
  })
})

describe('two instances on one S3 bucket whose locks are not shared', () => {
  it('answers the PATCH finishing the last partial 204 when the other instance assembled the final first', async () => {
    // A lock that is not shared (or was lost) lets another instance's read assemble the final in the
    // middle of this one's assembly: its copy completes the final's multipart upload first, and this
    // one's then finds that upload gone (S3 NoSuchUpload). That is this request's work done by
    // another, not a failure: it used to answer 500.
    const settings = { store: 's3' as const, ...s3Settings(), s3Bucket: await s3OwnBucket('lost-lock') }
    const a = await startTusk(settings)
    const b = await startTusk(settings)
    const { pb, final } = await waitingFinal(a)
    const store = a.store as { concatenate?: (...args: never[]) => Promise<void> }
    const concatenate = store.concatenate?.bind(a.store) as (...args: never[]) => Promise<void>
    let otherAssembled: string | null | undefined
    store.concatenate = async (...args: never[]) => {
      // The other instance reads the final now: its partials are finished, so it assembles it.
      otherAssembled = (await head(final.replace(a.url, b.url))).headers.get('upload-offset')
      return concatenate(...args)
    }

    const res = await patch(pb, 0, 'ghij')
    expect(otherAssembled).toBe('10')
    expect(res.status).toBe(204)
    expect((await head(final)).headers.get('upload-offset')).toBe('10')
    expect((await download(final)).toString()).toBe('abcdefghij')
  })
})
