import { Upload } from '@tus/utils'
import { ERR } from '../errors.js'
import { isComplete, newMetadataRecord } from '../model/record.js'
import { newUploadId } from '../model/upload-id.js'
import { bodyLimit, withRequestBody, writeBody } from './body.js'
import { receiveVerifiedChunk, type StagedChunk } from './checksum/verified-chunk.js'
import { askBeforeCreate } from './creation-hooks.js'
import { declareEnd } from './declare-length.js'
import { authenticate, type CoreDeps } from './deps.js'
import { finishWithHooks, holdFinish } from './finish-hooks.js'
import { type HeldLocks, lockUploads } from './locks.js'
import { encodeRepresentationDigests, verifyRepresentation } from './representation-digest.js'
import type { CreateInput, OperationContext } from './types.js'

/**
 * Creates an upload, with or without a first chunk of data. A chunk to verify is staged and checked
 * before the upload exists, so a chunk that fails leaves nothing. Plain data streams into the store;
 * if the client goes away mid-body, what arrived is kept and the upload can be resumed.
 */
export async function createUpload(
  deps: CoreDeps,
  input: CreateInput,
  ctx: OperationContext,
): Promise<Upload> {
  if (input.size === undefined && !deps.capabilities.deferLength) {
    throw ERR.INVALID_LENGTH('this store does not support deferred lengths')
  }
  if (input.size !== undefined && deps.maxSize > 0 && input.size > deps.maxSize) {
    throw ERR.TOO_LARGE(`length ${input.size} > maximum ${deps.maxSize}`)
  }
  await authenticate(deps, ctx)
  const grant = await deps.authorizer.authorize({
    intent: 'create',
    request: ctx.request,
    size: input.size,
    metadata: input.metadata,
  })
  let maxSize = effectiveMaxSize(deps.maxSize, grant?.maxSize)
  const reprDigest = input.representationDigests && encodeRepresentationDigests(input.representationDigests)
  if (input.size !== undefined && maxSize > 0 && input.size > maxSize) {
    throw ERR.TOO_LARGE(`length ${input.size} > ${maxSize} allowed for this upload`)
  }
  const upload = new Upload({
    id: newUploadId(),
    size: input.size,
    offset: 0,
    metadata: newMetadataRecord(grant?.metadata ?? input.metadata, input.concat, {
      owner: grant?.owner,
      maxSize: grant?.maxSize,
      protocol: ctx.protocol,
      reprDigest,
    }),
  })
  maxSize = await askBeforeCreate(
    deps,
    upload,
    maxSize,
    (metadata, lowered) =>
      newMetadataRecord(metadata, input.concat, {
        owner: grant?.owner,
        maxSize: lowered ?? grant?.maxSize,
        protocol: ctx.protocol,
        reprDigest,
      }),
    grant?.metadata ?? input.metadata,
    ctx,
  )
  const body = input.body
  const limit = body ? bodyLimit(body.length, upload, maxSize) : 0
  const held = await holdFinish(deps, upload, upload.size, body ? body.length : 0, ctx)
  try {
    await createWithData(deps, input, ctx, upload, limit)
    if (upload.offset > 0) await deps.events.progress?.(upload, ctx.request)
    if (isComplete(upload)) await finishWithHooks(deps, upload, ctx, held)
  } finally {
    held?.drop() // nothing once released: the upload did not finish
  }
  return upload
}

/** Creates the upload in the store and stores the creation's data (what arrived of it). */
async function createWithData(
  deps: CoreDeps,
  input: CreateInput,
  ctx: OperationContext,
  upload: Upload,
  limit: number,
): Promise<void> {
  const { datastore } = deps.store
  const body = input.body
  let staged: StagedChunk | undefined
  let locks: HeldLocks | undefined
  try {
    if (body && input.verification) {
      staged = await receiveVerifiedChunk(body.stream, {
        directory: deps.stagingDirectory,
        verification: input.verification,
        limit,
        signal: ctx.signal,
      })
    }
    // The id is new and random, so nobody can name it before this operation gives it out: no lock,
    // unless the protocol gives it out before the body is stored (the draft's 104). Then a request on
    // it (a client resuming a creation it saw cut) waits until what arrived is stored, and never reads
    // an offset that the creation is still moving.
    if (ctx.onCreated && body) locks = await lockUploads(deps.locker, [upload.id], ctx.signal)
    const announce = async () => {
      await deps.events.created?.(upload, ctx.request)
      ctx.onCreated?.(upload)
    }
    const createWithBody = deps.store.createWithBody
    if (body && !staged && createWithBody) {
      // The store makes the upload and takes its first bytes through the same open file.
      upload.offset = await withRequestBody(body.stream, limit, ctx.signal, (stream) =>
        createWithBody(upload, stream, announce),
      )
    } else {
      await datastore.create(upload)
      await announce()
    }
    if (staged) {
      if (staged.size > 0) upload.offset = await datastore.write(staged.open(), upload.id, 0)
    } else if (body && !createWithBody) {
      upload.offset = await writeBody(body.stream, datastore, { id: upload.id, offset: 0, limit }, ctx.signal)
    }
    // All of the upload in this request, without a length: it is as long as the body, if it all came.
    if (input.lengthFromBody && (!body || body.stream.complete)) await declareEnd(deps, upload)
    if (isComplete(upload)) await verifyRepresentation(deps, upload, ctx, 0)
  } finally {
    await locks?.release()
    await staged?.discard()
  }
}

/** The smaller of the server's limit and a grant's (0 = no limit). */
export function effectiveMaxSize(serverMax: number, grantMax: number | undefined): number {
  if (grantMax === undefined) return serverMax
  return serverMax > 0 ? Math.min(serverMax, grantMax) : grantMax
}
