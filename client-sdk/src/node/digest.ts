import { createHash } from 'node:crypto'
import { createReadStream, ReadStream } from 'node:fs'
import { crc32Bytes, crc32Update } from '../core/crc32.js'
import type { ChecksumAlgorithm } from '../core/types.js'

interface Hasher {
  update(bytes: Uint8Array): void
  digest(): Buffer
}

function hasher(algorithm: ChecksumAlgorithm): Hasher {
  if (algorithm === 'crc32') {
    let crc = 0
    return {
      update: (bytes) => {
        crc = crc32Update(crc, bytes)
      },
      digest: () => Buffer.from(crc32Bytes(crc)),
    }
  }
  const hash = createHash(algorithm)
  return { update: (bytes) => hash.update(bytes), digest: () => hash.digest() }
}

/**
 * Base64 digest of a request body. A file slice is a read stream over a byte range: the range is
 * read once more through a separate stream (from the page cache, typically), so the body stream
 * itself stays untouched and nothing larger than a stream buffer is held in memory.
 */
export async function nodeDigest(body: unknown, algorithm: ChecksumAlgorithm): Promise<string | null> {
  const hash = hasher(algorithm)
  if (body instanceof Uint8Array) {
    hash.update(body)
    return hash.digest().toString('base64')
  }
  if (body instanceof ReadStream && typeof body.path === 'string') {
    const size = (body as ReadStream & { size: number }).size
    const start = (body as ReadStream & { start?: number }).start ?? 0
    if (size > 0) {
      for await (const chunk of createReadStream(body.path, { start, end: start + size - 1 }))
        hash.update(chunk)
    }
    return hash.digest().toString('base64')
  }
  return null
}
