import { createHash } from 'node:crypto'
import { ReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { DefaultHttpStack } from 'tus-js-client'
import { isChecksumAlgorithm } from '../core/checksum-algorithms.js'
import { TuskUploadError } from '../core/errors.js'
import type { Platform, PreparedSource } from '../core/platform.js'
import { nodeDigest } from './digest.js'
import { FileUrlStorage } from './file-url-storage.js'
import { NodeFileReader, PathInput } from './sources.js'

/** What the Node SDK uploads: a file path (or file: URL), bytes in memory, a stream or a Blob. */
export type NodeUploadSource = string | URL | Uint8Array | Readable | Blob

async function preparePath(path: string, endpoint: string): Promise<PreparedSource> {
  const absolute = resolve(path)
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new TuskUploadError({
      code: 'source',
      message:
        error.code === 'ENOENT' ? `file not found: ${absolute}` : `cannot read ${absolute}: ${error.message}`,
      cause: error,
    })
  })
  if (!info.isFile())
    throw new TuskUploadError({ code: 'source', message: `not a regular file: ${absolute}` })
  return {
    input: new PathInput(absolute, 0, info.size),
    size: info.size,
    // Path + size + modification time: a changed file never resumes an upload of its old content.
    fingerprint: `node-file:${absolute}:${info.size}:${Math.trunc(info.mtimeMs)}:${endpoint}`,
    metadata: { filename: basename(absolute) },
    isStream: false,
    path: absolute,
  }
}

export const nodePlatform: Platform<NodeUploadSource> = {
  async prepare(source, endpoint, size) {
    if (typeof source === 'string') return preparePath(source, endpoint)
    if (source instanceof URL) return preparePath(fileURLToPath(source), endpoint)
    if (source instanceof Uint8Array) {
      // Content hash: two different buffers of the same length must never share an upload.
      const digest = createHash('sha256').update(source).digest('hex')
      return {
        input: source,
        size: source.byteLength,
        fingerprint: `node-buffer:${digest}:${source.byteLength}:${endpoint}`,
        metadata: {},
        isStream: false,
      }
    }
    // An untouched whole-file ReadStream is uploaded as its file: resumable and re-readable.
    const file = source as ReadStream & { start?: number; end?: number }
    if (file instanceof ReadStream && typeof file.path === 'string' && file.bytesRead === 0) {
      if (file.start === undefined && (file.end === undefined || file.end === Number.POSITIVE_INFINITY)) {
        file.destroy()
        return preparePath(file.path, endpoint)
      }
    }
    if (source instanceof Readable) {
      return { input: source, size: size ?? null, fingerprint: null, metadata: {}, isStream: true }
    }
    if (typeof Blob !== 'undefined' && source instanceof Blob) {
      const name = (source as Blob & { name?: string }).name
      return {
        input: Readable.fromWeb(source.stream() as Parameters<typeof Readable.fromWeb>[0]),
        size: source.size,
        fingerprint: null,
        metadata: { ...(name ? { filename: name } : {}), ...(source.type ? { filetype: source.type } : {}) },
        isStream: true,
      }
    }
    throw new TuskUploadError({
      code: 'source',
      message: 'the source must be a file path, a Buffer/Uint8Array, a Readable stream or a Blob',
    })
  },
  fileReader: new NodeFileReader(),
  httpStack: new DefaultHttpStack({}),
  defaultUrlStorage: () => new FileUrlStorage(),
  digest: nodeDigest,
  // Node's crypto (and the SDK's CRC-32) compute every algorithm the SDK knows.
  canDigest: (algorithm) => isChecksumAlgorithm(algorithm),
}
