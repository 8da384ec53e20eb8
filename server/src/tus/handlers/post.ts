import type { Upload } from '@tus/utils'
import { ERR } from '../../errors.js'
import { expiresAt } from '../../model/expiry.js'
import { chunkVerification } from '../checksum-header.js'
import { carriesUploadData, contentLength, headerText } from '../constants.js'
import { operationContext, type TusContext, type TusExchange, type TusHandler } from '../context.js'
import { sendFinishable } from '../finish-response.js'
import { uploadIdFromUrl, uploadUrl } from '../location.js'
import { clientMetadata } from '../metadata.js'

/**
 * POST to the base path: creation (with or without data, or with a deferred length), a partial
 * upload (`Upload-Concat: partial`) or a final upload (`Upload-Concat: final;<url> <url> ...`).
 */
export const handlePost: TusHandler = async (tus, exchange) => {
  const concat = headerText(exchange.req, 'upload-concat')
  if (concat === undefined) return create(tus, exchange, undefined)
  if (!tus.core.capabilities.concatenate) throw ERR.CONCAT_UNSUPPORTED()
  if (concat === 'partial') return create(tus, exchange, 'partial')
  if (concat.startsWith('final;')) return createFinal(tus, exchange, concat)
  throw ERR.INVALID_CONCAT('expected "partial" or "final;<url> <url> ..."')
}

async function create(tus: TusContext, exchange: TusExchange, concat: 'partial' | undefined): Promise<void> {
  const { req } = exchange
  const lengthHeader = req.headers['upload-length']
  const deferred = req.headers['upload-defer-length'] !== undefined
  // "The request MUST include one of the following headers: a) Upload-Length ... b) Upload-Defer-Length: 1"
  if ((lengthHeader === undefined) === !deferred) {
    throw ERR.INVALID_LENGTH('send exactly one of Upload-Length and Upload-Defer-Length: 1')
  }
  const withData = carriesUploadData(req)
  // Parsed even without data, so that a malformed Upload-Checksum is refused either way.
  const verification = chunkVerification(req)
  const upload = await tus.core.create(
    {
      size: lengthHeader === undefined ? undefined : Number(lengthHeader),
      metadata: clientMetadata(req),
      concat,
      body: withData ? { stream: req, length: contentLength(req) } : undefined,
      verification: withData ? verification : undefined,
    },
    operationContext(exchange),
  )
  sendCreated(tus, exchange, upload, withData)
}

/**
 * The final upload of a concatenation, assembled from finished partial uploads of this server; it is
 * complete when the 201 is sent.
 */
async function createFinal(tus: TusContext, exchange: TusExchange, concat: string): Promise<void> {
  const { req } = exchange
  // "The Client MUST NOT include the Upload-Length header in the final upload creation."
  if (req.headers['upload-length'] !== undefined || req.headers['upload-defer-length'] !== undefined) {
    throw ERR.INVALID_CONCAT('a final upload takes its length from its partial uploads; omit Upload-Length')
  }
  if (carriesUploadData(req) && req.headers['content-length'] !== '0') {
    throw ERR.INVALID_CONCAT('a final upload is assembled from its partial uploads and takes no data')
  }
  const urls = concat.slice('final;'.length).split(' ').filter(Boolean)
  if (urls.length === 0) throw ERR.INVALID_CONCAT('"final;" names no partial uploads')
  const upload = await tus.core.concatenate(
    {
      partialIds: urls.map((url) => uploadIdFromUrl(req, tus.config, url)),
      metadata: clientMetadata(req),
      concat,
    },
    operationContext(exchange),
  )
  sendCreated(tus, exchange, upload, false)
}

function sendCreated(tus: TusContext, { req, res }: TusExchange, upload: Upload, withData: boolean): void {
  sendFinishable(res, upload, 201, {
    Location: uploadUrl(req, tus.config, upload.id),
    'Upload-Offset': withData ? String(upload.offset) : undefined,
    'Upload-Expires': expiresAt(upload, tus.core.expiryPeriod)?.toUTCString(),
  })
}
