import type { S3 } from '@aws-sdk/client-s3';
import type { Upload } from '@tus/utils';
export declare const MIN_PART: number;
export declare const MAX_COPY: number;
/** A byte range [start, end) of a partial upload's object. */
export interface Piece {
    id: string;
    start: number;
    end: number;
}
/** One part of the final multipart upload: copied server-side, or assembled from small pieces. */
export type PartPlan = {
    kind: 'copy';
    piece: Piece;
} | {
    kind: 'upload';
    pieces: Piece[];
    size: number;
};
/**
 * The parts of the final upload, in order, for partials of the given sizes. Every part but the last
 * is >= minPart; copies are <= maxCopy. Pure, so the edge cases are tested without S3.
 */
export declare function planParts(partials: readonly {
    id: string;
    size: number;
}[], limits?: {
    minPart: number;
    maxCopy: number;
}): PartPlan[];
/** What concatenation needs from the S3 store; TuskS3Store provides it (see s3ConcatPort). */
export interface S3ConcatPort {
    readonly s3: S3;
    readonly bucketName: string;
    /** The multipart upload behind an upload created with datastore.create. */
    multipartUploadId(id: string): Promise<string>;
    /** Records the upload as finished once its multipart upload is complete (info, tags, cache). */
    markComplete(upload: Upload): Promise<void>;
}
/**
 * TuskStore.concatenate for S3: fills `final` (created by datastore.create, so its multipart upload
 * exists) from the finished partials' objects (key = upload id), then completes it.
 */
export declare function concatenateS3(port: S3ConcatPort, final: Upload, partials: readonly Upload[], options?: {
    concurrency?: number;
}): Promise<void>;
/**
 * The port over Tusk's S3 datastore, doing what TuskS3Store.create does for a zero-length upload:
 * read the multipart upload id from the upload's info, and after completion mark the info finished
 * (expiration tags) and drop the cached copy. Plug in (s3-store.ts) with
 * `concatenate: (final, partials) => concatenateS3(s3ConcatPort(datastore, bucket), final, partials)`.
 */
export declare function s3ConcatPort(datastore: {
    readonly s3: S3;
}, bucket: string): S3ConcatPort;
//# sourceMappingURL=s3-concat.d.ts.map