import type { IncomingMessage, ServerResponse } from 'node:http'
import { Uid, Upload } from '@tus/utils'
import { ERR } from '../../errors.js'
import { bodyLimit, type StagedBody, writeBody } from '../body.js'
import { parseUploadChecksum } from '../checksum.js'
import { clientGone, type ProtocolContext } from '../context.js'
import { expiresAt } from '../expiry.js'
import { uploadUrl } from '../location.js'
import { headerText } from '../request-checks.js'
import { sendEmpty } from '../respond.js'
import { announcesChecksumTrailer } from '../trailer.js'
import { newMetadataRecord } from '../upload-record.js'
import { receiveVerifiedChunk } from '../verified-chunk.js'

/** Whether a creation request carries upload data (creation-with-upload), as @tus/server decides it. */
export const carriesUploadData = (req: IncomingMessage) =>
  req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/offset+octet-stream'

/**
 * POST creation that @tus/server cannot do: a partial upload (`Upload-Concat: partial`) and
 * creation-with-upload with a checksum. With a checksum, the body is staged and verified before
 * the upload is created: a chunk that fails (460) or names an unknown algorithm (400) leaves nothing.
 */
export async function createUpload(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: { concat?: 'partial' },
): Promise<void> {
  const { datastore } = ctx.store
  const { maxSize } = ctx.config
  const lengthHeader = req.headers['upload-length']
  const deferred = req.headers['upload-defer-length'] !== undefined
  // "The request MUST include one of the following headers: a) Upload-Length ... b) Upload-Defer-Length: 1"
  if ((lengthHeader === undefined) === !deferred) {
    throw ERR.INVALID_LENGTH('send exactly one of Upload-Length and Upload-Defer-Length: 1')
  }
  if (deferred && !datastore.hasExtension('creation-defer-length')) {
    throw ERR.INVALID_LENGTH('this store does not support deferred lengths')
  }
  const size = lengthHeader === undefined ? undefined : Number(lengthHeader)
  const withData = carriesUploadData(req)
  const checksumHeader = req.headers['upload-checksum']
  const announced = checksumHeader === undefined ? undefined : parseUploadChecksum(String(checksumHeader))
  const verify = withData && (announced !== undefined || announcesChecksumTrailer(req))

  const upload = new Upload({
    id: Uid.rand(),
    size,
    offset: 0,
    metadata: newMetadataRecord(headerText(req, 'upload-metadata'), options.concat),
  })
  const gone = clientGone(res)
  let staged: StagedBody | undefined
  try {
    const limit = withData ? bodyLimit(req, upload, maxSize) : 0
    if (verify) {
      staged = await receiveVerifiedChunk(ctx, req, { announced, limit, signal: gone.signal })
    }
    // No lock: the id is new and random, and nobody can name it before this response gives it out.
    // (A lock here cost every creation a lock-file round trip in cluster mode, for nothing.)
    await datastore.create(upload)
    if (staged) {
      if (staged.size > 0) upload.offset = await datastore.write(staged.open(), upload.id, 0)
    } else if (withData) {
      upload.offset = await writeBody(req, datastore, { id: upload.id, offset: 0, limit }, gone.signal)
    }
  } finally {
    await staged?.discard()
  }
  sendEmpty(res, 201, {
    Location: uploadUrl(req, ctx.config, upload.id),
    'Upload-Offset': withData ? String(upload.offset) : undefined,
    'Upload-Expires': expiresAt(upload, datastore)?.toUTCString(),
  })
}
