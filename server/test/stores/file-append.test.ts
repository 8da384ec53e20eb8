import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { appendToFile } from '../../src/stores/file-append.js'
import { INLINE_WRITE_LIMIT, InlineWrites } from '../../src/stores/file-inline-write.js'

// The file store's writer: small batches go to the file inline, big ones through the thread pool;
// either way every byte that arrived is stored, in order, and a refused write is the caller's error.

const dir = await mkdtemp(path.join(tmpdir(), 'tusk-file-append-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

async function emptyFile(name: string): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, '')
  return file
}

describe('appendToFile', () => {
  it('stores small (inline) and big (thread pool) chunks in order and resolves with the offset after them', async () => {
    const chunks = [1, 1024, INLINE_WRITE_LIMIT, INLINE_WRITE_LIMIT + 1, 3, 256 * 1024, 7].map((size) =>
      randomBytes(size),
    )
    const file = await emptyFile('mixed')
    const end = await appendToFile(Readable.from(chunks), file, 0)
    const all = Buffer.concat(chunks)
    expect(end).toBe(all.length)
    expect((await readFile(file)).equals(all)).toBe(true)
  })

  it('writes from the given offset on, after the bytes already there', async () => {
    const file = await emptyFile('offset')
    await writeFile(file, 'abc')
    expect(await appendToFile(Readable.from([Buffer.from('de'), Buffer.from('f')]), file, 3)).toBe(6)
    expect(await readFile(file, 'utf8')).toBe('abcdef')
  })

  it('keeps every byte that arrived before the source failed, then rejects with its error', async () => {
    const file = await emptyFile('failing')
    const source = new PassThrough()
    const written = appendToFile(source, file, 0)
    source.write(Buffer.from('kept '))
    source.write(Buffer.from('too'))
    await new Promise((resolve) => setImmediate(resolve))
    source.destroy(new Error('client went away'))
    await expect(written).rejects.toThrow('client went away')
    expect(await readFile(file, 'utf8')).toBe('kept too')
  })

  it.runIf(existsSync('/dev/full'))(
    'rejects with ENOSPC when the disk refuses a small (inline) or a big (thread pool) write',
    async () => {
      for (const size of [1024, 256 * 1024]) {
        const source = Readable.from([randomBytes(size), randomBytes(size)])
        await expect(appendToFile(source, '/dev/full', 0)).rejects.toMatchObject({ code: 'ENOSPC' })
        expect(source.destroyed).toBe(true)
      }
    },
  )
})

describe('InlineWrites: whether small writes may block the event loop', () => {
  const limits = { slowMs: 1, stallMs: 20, window: 8, slowInWindow: 2, pauseMs: 1_000 }
  const clock = () => {
    const c = { ms: 0, now: () => c.ms }
    return c
  }

  it('writes batches up to the limit inline and bigger ones through the pool', () => {
    const policy = new InlineWrites(clock().now, limits)
    expect(policy.allows(INLINE_WRITE_LIMIT)).toBe(true)
    expect(policy.allows(INLINE_WRITE_LIMIT + 1)).toBe(false)
  })

  it('sends small writes to the pool for a while after one write stalled, then tries inline again', () => {
    const c = clock()
    const policy = new InlineWrites(c.now, limits)
    policy.record(0.01)
    expect(policy.allows(1024)).toBe(true)
    policy.record(25)
    expect(policy.allows(1024)).toBe(false)
    c.ms += 999
    expect(policy.allows(1024)).toBe(false)
    c.ms += 1
    expect(policy.allows(1024)).toBe(true)
  })

  it('pauses when too many writes in a window were slow, and forgets a few slow ones once the window passes', () => {
    const c = clock()
    const policy = new InlineWrites(c.now, limits)
    // Two slow writes per window (a thread preempted mid-call) stay within what is tolerated.
    for (let window = 0; window < 3; window++) {
      policy.record(5)
      policy.record(5)
      for (let i = 0; i < 6; i++) policy.record(0.01)
      expect(policy.allows(1024)).toBe(true)
    }
    // A third within one window: the disk itself is slow.
    for (let i = 0; i < 3; i++) policy.record(5)
    expect(policy.allows(1024)).toBe(false)
    c.ms += 1_000
    expect(policy.allows(1024)).toBe(true)
  })
})
