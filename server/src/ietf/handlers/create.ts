import type { IncomingMessage } from 'node:http'
import { ERR } from '../../errors.js'
import { mediaType } from '../../tus/constants.js'
import { operationContext } from '../../tus/context.js'
import { uploadUrl } from '../../tus/location.js'
import { clientMetadata } from '../../tus/metadata.js'
import { contentDigest, representationDigests } from '../content-digest.js'
import { type IetfHandler, stateFields, uploadLimit } from '../context.js'
import { booleanField, integerField, serializeInteger } from '../fields.js'
import { problem, sendFields, sendInformational } from '../respond.js'
import { PARTIAL_UPLOAD } from '../versions.js'

/** The request's content length, when it says one; whether it has content at all. */
function contentOf(req: IncomingMessage): { length: number | undefined; present: boolean } {
  const header = req.headers['content-length']
  const length = header === undefined ? undefined : Number(header)
  return {
    length,
    present: length !== undefined ? length > 0 : req.headers['transfer-encoding'] !== undefined,
  }
}

/**
 * Upload creation: POST to the base path with Upload-Complete. `?1` carries all of the upload, `?0`
 * the start of it (or nothing: careful creation). The length comes from Upload-Length, or from the
 * content's length with `?1`; they must agree (400 inconsistent-upload-length). As soon as the upload
 * exists (after authorization and any blocking hook), a 104 says where it is, on Nodes that can.
 * `?1` with no length at all (a chunked body) makes the upload as long as the body turns out to be.
 * A Repr-Digest (sha-256, sha-512) is recorded and checked when the upload completes.
 */
export const handleCreate: IetfHandler = async (ietf, exchange) => {
  const { req, res, version } = exchange
  const complete = booleanField(req, 'upload-complete')
  if (complete === undefined) throw ERR.INVALID_FIELD('Upload-Complete (?0 or ?1) is required')
  const content = contentOf(req)
  let length = integerField(req, 'upload-length')
  if (complete) {
    if (content.length !== undefined) {
      if (length !== undefined && length !== content.length) throw inconsistent(length, content.length)
      length = content.length
    } else if (length === undefined && !content.present) {
      length = 0
    }
  } else if (length !== undefined && content.length !== undefined && content.length > length) {
    throw inconsistent(length, content.length)
  }
  // ?1 with neither Content-Length nor Upload-Length (a chunked body): the body is all of the upload.
  const lengthFromBody = complete && length === undefined
  // A representation's own type is metadata of the upload; partial-upload content has none.
  const type = mediaType(req)
  const metadata = version.tusCreationFields
    ? clientMetadata(req)
    : type && type !== PARTIAL_UPLOAD
      ? { values: { filetype: type }, raw: `filetype ${Buffer.from(type).toString('base64')}` }
      : undefined
  const ctx = operationContext(exchange, 'ietf')
  const upload = await ietf.core.create(
    {
      size: length,
      metadata,
      body: content.present ? { stream: req, length: content.length } : undefined,
      verification: content.present ? contentDigest(req) : undefined,
      lengthFromBody,
      representationDigests: representationDigests(req),
    },
    {
      ...ctx,
      onCreated(created) {
        sendInformational(res, {
          Location: uploadUrl(req, ietf.config, created.id),
          'Upload-Limit': uploadLimit(ietf, version, created),
          'Upload-Draft-Interop-Version': serializeInteger(version.version),
        })
      },
    },
  )
  sendFields(res, 201, {
    Location: uploadUrl(req, ietf.config, upload.id),
    ...stateFields(ietf, version, upload),
  })
}

export function inconsistent(declared: number, sent: number) {
  return problem(ERR.INCONSISTENT_LENGTH(`Upload-Length ${declared}, content ${sent}`), {
    headers: { 'Upload-Complete': '?0' },
  })
}
