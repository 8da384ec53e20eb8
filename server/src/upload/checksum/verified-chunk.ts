import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ERR } from '../../errors.js'
import type { VerifiedAppender } from '../../stores/types.js'
import { RequestBody } from '../body.js'
import {
  type ChunkVerification,
  createDigest,
  type Digest,
  type DigestAlgorithm,
  verifyDigest,
} from './digest.js'

// The one home of receiving a chunk that must be verified before it counts: "the uploaded chunk MUST
// be discarded, and the upload and its offset MUST NOT be updated" when verification fails. The chunk
// is staged in a file while it is hashed (memory stays flat whatever its size), or held in memory
// when its Content-Length says it is small, verified against the digest given before the body or
// after it (a trailer), and only then committed to the store by the caller. A crash leaves at most
// staged files, never unverified bytes in an upload; they are swept at start-up (sweepStagedChunks).

export interface StagedChunk {
  readonly size: number
  /** The staged bytes, for committing them to the store. */
  open(): Readable
  discard(): Promise<void>
}

const STAGED_SUFFIX = '.chunk'
const madeDirectories = new Set<string>()
// Large reads: a staged chunk is in the page cache, and fewer, bigger writes commit it faster.
const COMMIT_READ_SIZE = 2 ** 20
// A body declared this small is held in memory, not staged: a staging file costs six thread-pool
// round trips (create, write, close, open, read, remove) and writes the bytes twice, and a socket
// read already holds up to 64 KiB per connection.
const IN_MEMORY_MAX = 64 * 1024

/** Where chunks wait for verification: the store's choice, else a directory in the OS temp dir. */
export const stagingDirectoryOf = (store: { stagingDirectory?: string }): string =>
  store.stagingDirectory ?? path.join(os.tmpdir(), 'tusk-staging')

/**
 * Receives the body into a staging file and verifies it. Resolves with the verified chunk (the
 * caller commits it, then discards it); rejects with 460/400/413, leaving nothing behind, when it
 * fails verification, exceeds `limit`, or the client goes away or `signal` aborts mid-body.
 */
export async function receiveVerifiedChunk(
  req: IncomingMessage,
  options: { directory: string; verification: ChunkVerification; limit: number; signal: AbortSignal },
): Promise<StagedChunk> {
  const { verification } = options
  const known = 'now' in verification ? verification.now : undefined
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  const staged =
    declared <= IN_MEMORY_MAX
      ? await holdInMemory(req, { ...options, algorithm: known?.algorithm })
      : await stage(req, { ...options, algorithm: known?.algorithm })
  try {
    const expected = known ?? ('afterBody' in verification ? verification.afterBody() : undefined)
    if (!expected) throw ERR.INVALID_CHECKSUM()
    verifyDigest(expected, staged.digest ?? (await digestStream(staged.open(), expected.algorithm)))
    return staged
  } catch (error) {
    await staged.discard()
    throw error
  }
}

/**
 * Appends a chunk to verify through the store's own in-place write (VerifiedAppender): its bytes are
 * written once, hashed on the way (or read back for a trailer's digest), and count only once
 * verified. Rejects with 460/400/413 or the body's failure; the store has then removed the chunk.
 */
export async function appendVerifiedInPlace(
  store: VerifiedAppender,
  req: IncomingMessage,
  options: {
    id: string
    offset: number
    verification: ChunkVerification
    limit: number
    signal: AbortSignal
  },
): Promise<number> {
  const { verification } = options
  const known = 'now' in verification ? verification.now : undefined
  const digest = known ? createDigest(known.algorithm) : undefined
  // A chunk that did not arrive whole cannot be verified: stopping the body fails the append.
  const body = new RequestBody(req, options.signal, 'fail', options.limit)
  if (digest) body.observe((chunk) => digest.update(chunk))
  try {
    return await store.appendVerified(
      body as unknown as Readable,
      options.id,
      options.offset,
      async (written) => {
        const expected = known ?? ('afterBody' in verification ? verification.afterBody() : undefined)
        if (!expected) throw ERR.INVALID_CHECKSUM()
        verifyDigest(expected, digest ? digest.digest() : await digestStream(written(), expected.algorithm))
      },
    )
  } finally {
    body.detach()
  }
}

/** Receives a small body into memory, hashing it on the way (a Content-Length caps its size). */
async function holdInMemory(
  req: IncomingMessage,
  options: { limit: number; algorithm?: DigestAlgorithm; signal: AbortSignal },
): Promise<StagedChunk & { digest: Buffer | undefined }> {
  const digest = options.algorithm ? createDigest(options.algorithm) : undefined
  const chunks: Buffer[] = []
  // A chunk that did not arrive whole cannot be verified: stopping the body fails the receipt.
  const body = new RequestBody(req, options.signal, 'fail', options.limit)
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      digest?.update(chunk)
      chunks.push(chunk)
    }
  } finally {
    body.detach()
  }
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
  return {
    size: bytes.length,
    digest: digest?.digest(),
    open: () => Readable.from([bytes], { objectMode: false }),
    discard: async () => {},
  }
}

async function stage(
  req: IncomingMessage,
  options: { directory: string; limit: number; algorithm?: DigestAlgorithm; signal: AbortSignal },
): Promise<StagedChunk & { file: string; digest: Buffer | undefined }> {
  if (!madeDirectories.has(options.directory)) {
    await mkdir(options.directory, { recursive: true })
    madeDirectories.add(options.directory)
  }
  const file = path.join(options.directory, `${randomUUID()}${STAGED_SUFFIX}`)
  const digest: Digest | undefined = options.algorithm ? createDigest(options.algorithm) : undefined
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > options.limit) {
        callback(ERR.TOO_LARGE('the body is larger than the upload'))
        return
      }
      digest?.update(chunk)
      callback(null, chunk)
    },
  })
  // A chunk that did not arrive whole cannot be verified: stopping the body fails the staging.
  const body = new RequestBody(req, options.signal, 'fail', options.limit)
  const discard = () => rm(file, { force: true })
  try {
    await pipeline(body, meter, createWriteStream(file))
  } catch (error) {
    await discard()
    throw error
  } finally {
    body.detach()
  }
  return {
    file,
    size,
    digest: digest?.digest(),
    open: () => createReadStream(file, { highWaterMark: COMMIT_READ_SIZE }),
    discard,
  }
}

/** A trailer names its algorithm only after the body: the received bytes are hashed again then. */
async function digestStream(bytes: Readable, algorithm: DigestAlgorithm): Promise<Buffer> {
  const digest = createDigest(algorithm)
  for await (const chunk of bytes) digest.update(chunk as Buffer)
  return digest.digest()
}

/**
 * Removes staged chunks that a crashed process left behind: those untouched for `olderThanMs` (a
 * chunk being received or committed is written to, or was just written). Age, not ownership, decides,
 * because other processes (cluster workers, instances sharing the directory) stage chunks there too.
 */
export async function sweepStagedChunks(directory: string, olderThanMs = 3_600_000): Promise<number> {
  let names: string[]
  try {
    names = await readdir(directory)
  } catch {
    return 0
  }
  const cutoff = Date.now() - olderThanMs
  let removed = 0
  for (const name of names.filter((n) => n.endsWith(STAGED_SUFFIX))) {
    const file = path.join(directory, name)
    const info = await stat(file).catch(() => undefined)
    if (info && info.mtimeMs < cutoff) {
      await rm(file, { force: true })
      removed++
    }
  }
  return removed
}
