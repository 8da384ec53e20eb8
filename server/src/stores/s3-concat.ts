import type { CompletedPart, S3 } from '@aws-sdk/client-s3'
import type { Upload } from '@tus/utils'
import type { TuskS3Store } from './s3-datastore.js'

// Concatenation on S3, assembled inside S3: the final upload's multipart upload (created by
// datastore.create) gets its parts with UploadPartCopy from the finished partial objects, so the
// bytes never leave S3. S3's rule that every part but the last is at least 5 MiB is the one thing
// a copy cannot satisfy alone: bytes of partials too small for a part of their own (and the top-up
// that brings such a run to 5 MiB) are read with ranged GETs and sent as one UploadPart. That is at
// most 5 MiB in memory at a time, and none at all when every partial but the last is >= 5 MiB
// (tus-js-client's parallelUploads split a file evenly, so only small files take that path).

export const MIN_PART = 5 * 2 ** 20
export const MAX_COPY = 5 * 2 ** 30
const MAX_PARTS = 10_000

/** A byte range [start, end) of a partial upload's object. */
export interface Piece {
  id: string
  start: number
  end: number
}

/** One part of the final multipart upload: copied server-side, or assembled from small pieces. */
export type PartPlan = { kind: 'copy'; piece: Piece } | { kind: 'upload'; pieces: Piece[]; size: number }

/**
 * The parts of the final upload, in order, for partials of the given sizes. Every part but the last
 * is >= minPart; copies are <= maxCopy. Pure, so the edge cases are tested without S3.
 */
export function planParts(
  partials: readonly { id: string; size: number }[],
  limits: { minPart: number; maxCopy: number } = { minPart: MIN_PART, maxCopy: MAX_COPY },
): PartPlan[] {
  const { minPart, maxCopy } = limits
  const plan: PartPlan[] = []
  let pending: Piece[] = []
  let pendingSize = 0
  const flush = () => {
    if (pendingSize > 0) plan.push({ kind: 'upload', pieces: pending, size: pendingSize })
    pending = []
    pendingSize = 0
  }
  for (const { id, size } of partials) {
    let position = 0
    while (position < size) {
      const remaining = size - position
      if (pendingSize > 0) {
        // Top a run of small pieces up to a full part with the start of this partial.
        const take = Math.min(remaining, minPart - pendingSize)
        pending.push({ id, start: position, end: position + take })
        pendingSize += take
        position += take
        if (pendingSize >= minPart) flush()
      } else if (remaining >= minPart) {
        let take = Math.min(remaining, maxCopy)
        // Never leave a tail under the minimum behind a maximal copy: split so both are whole parts.
        if (remaining > take && remaining - take < minPart) take = remaining - minPart
        plan.push({ kind: 'copy', piece: { id, start: position, end: position + take } })
        position += take
      } else {
        pending.push({ id, start: position, end: size })
        pendingSize += remaining
        position = size
      }
    }
  }
  flush()
  if (plan.length > MAX_PARTS)
    throw new Error(`concatenation needs ${plan.length} parts; S3 allows ${MAX_PARTS}`)
  return plan
}

/** What concatenation needs from the S3 store; TuskS3Store provides it (see s3ConcatPort). */
export interface S3ConcatPort {
  readonly s3: S3
  readonly bucketName: string
  /** The multipart upload behind an upload created with datastore.create. */
  multipartUploadId(id: string): Promise<string>
  /**
   * Completes the multipart upload from `parts` and records the upload as finished (info, tags,
   * cache), as every other upload is finished: idempotent if a HEAD completed it first.
   */
  completeUpload(id: string, parts: CompletedPart[]): Promise<void>
}

/**
 * TuskStore.concatenate for S3: fills `final` (created by datastore.create, so its multipart upload
 * exists) from the finished partials' objects (key = upload id), then completes it.
 */
export async function concatenateS3(
  port: S3ConcatPort,
  final: Upload,
  partials: readonly Upload[],
  options: { concurrency?: number } = {},
): Promise<void> {
  const plan = planParts(partials.map((partial) => ({ id: partial.id, size: partial.size ?? 0 })))
  // A zero-length final upload is complete at creation (TuskS3Store.create).
  if (plan.length === 0) return
  const { s3, bucketName: Bucket } = port
  const UploadId = await port.multipartUploadId(final.id)
  const etags: string[] = new Array(plan.length)
  const partOf = async (index: number) => {
    const part = plan[index] as PartPlan
    const PartNumber = index + 1
    if (part.kind === 'copy') {
      const { id, start, end } = part.piece
      const copied = await s3.uploadPartCopy({
        Bucket,
        Key: final.id,
        UploadId,
        PartNumber,
        CopySource: `${Bucket}/${encodeURIComponent(id)}`,
        CopySourceRange: `bytes=${start}-${end - 1}`,
      })
      etags[index] = copied.CopyPartResult?.ETag as string
    } else {
      const body = Buffer.allocUnsafe(part.size)
      let at = 0
      for (const { id, start, end } of part.pieces) {
        const object = await s3.getObject({ Bucket, Key: id, Range: `bytes=${start}-${end - 1}` })
        const bytes = await object.Body?.transformToByteArray()
        if (!bytes || bytes.length !== end - start) throw new Error(`short read of partial ${id}`)
        body.set(bytes, at)
        at += bytes.length
      }
      const uploaded = await s3.uploadPart({ Bucket, Key: final.id, UploadId, PartNumber, Body: body })
      etags[index] = uploaded.ETag as string
    }
  }
  // A few copies at once: S3 does the work, the server only waits.
  let next = 0
  const worker = async () => {
    while (next < plan.length) await partOf(next++)
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, plan.length) }, worker))
  await port.completeUpload(
    final.id,
    etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })),
  )
}

/**
 * The port over Tusk's S3 datastore. Plug in (s3-store.ts) with
 * `concatenate: (final, partials) => concatenateS3(s3ConcatPort(datastore, bucket), final, partials)`.
 */
export function s3ConcatPort(datastore: TuskS3Store, bucket: string): S3ConcatPort {
  return {
    s3: datastore.s3,
    bucketName: bucket,
    multipartUploadId: (id) => datastore.multipartUploadId(id),
    completeUpload: (id, parts) => datastore.completeUpload(id, parts),
  }
}
