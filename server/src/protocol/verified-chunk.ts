import type { IncomingMessage } from 'node:http'
import { type StagedBody, stageBody } from './body.js'
import { type ExpectedChecksum, verifyChecksum } from './checksum.js'
import type { ProtocolContext } from './context.js'
import { stagingDirectory } from './staging.js'
import { checksumFromTrailer } from './trailer.js'

/**
 * Receives a chunk that carries a checksum into a staging file and verifies it: against the
 * Upload-Checksum header (`announced`, hashed while the bytes arrive) or, when the client announced
 * a trailer, against the trailer, readable only once the whole body is in. Resolves with the staged,
 * verified chunk (the caller commits it, then discards it); rejects with 460/400, leaving nothing.
 */
export async function receiveVerifiedChunk(
  ctx: ProtocolContext,
  req: IncomingMessage,
  options: { announced: ExpectedChecksum | undefined; limit: number; signal: AbortSignal },
): Promise<StagedBody> {
  const staged = await stageBody(req, {
    directory: stagingDirectory(ctx.store),
    limit: options.limit,
    algorithm: options.announced?.algorithm,
    signal: options.signal,
  })
  try {
    const expected = options.announced ?? checksumFromTrailer(req)
    verifyChecksum(expected, staged.digest ?? (await staged.digestWith(expected.algorithm)))
    return staged
  } catch (error) {
    await staged.discard()
    throw error
  }
}
