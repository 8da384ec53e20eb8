import { type Readable } from 'node:stream';
import { type MetadataValue, type Options, S3Store } from '@tus/s3-store';
import { type Upload } from '@tus/utils';
/** S3 answers "no such thing" with several codes; RGW says NoSuchKey where AWS says NoSuchUpload. */
export declare function isS3NotFound(error: unknown): boolean;
export interface TuskS3StoreOptions extends Options {
    /** Largest upload Tusk accepts: sizes the parts of uploads whose length is deferred. */
    maxUploadSize: number;
}
/**
 * @tus/s3-store 2.0.7 with the defects a real S3 (and several instances) show fixed: see remove(),
 * write(), create(), declareUploadLength(), getMetadata(), getUpload() and deleteExpired(). Objects per upload: `<id>` (the multipart upload, then the
 * finished object), `<id>.info` (the upload's JSON) and `<id>.part` (a tail shorter than S3's 5 MiB
 * minimum part, kept until the next PATCH prepends it).
 */
export declare class TuskS3Store extends S3Store {
    #private;
    constructor(options: TuskS3StoreOptions);
    /** The S3 client, for Tusk's own reads (downloads, readiness) with the same settings. */
    get s3(): import("@aws-sdk/client-s3").S3;
    /** Every object key an upload can own, the `.info` last so a failed removal can be retried. */
    objectKeys(id: string): string[];
    /**
     * Upstream aborts the multipart upload first and turns its NoSuchUpload into 404. A *finished*
     * upload has no multipart upload any more (S3 completed it), so terminating it answered 404 and left
     * `<id>` and `<id>.info` behind (defect A). Upstream also never deleted `<id>.part` (defect B).
     */
    remove(id: string): Promise<void>;
    /** Aborts the multipart upload if it is still open and deletes every object of the upload. */
    protected discard(id: string, uploadId: string | undefined): Promise<void>;
    private deleteKeys;
    /**
     * Keeps every byte that arrived before the body failed (a client that went away mid-PATCH), as the
     * file store does. Upstream dropped the part it was still cutting, up to a whole part size, so the
     * client had to send those bytes again. The failure is still reported once the bytes are stored.
     */
    write(src: Readable, id: string, offset: number): Promise<number>;
    /**
     * A zero-length upload is finished at creation, but @tus/server never calls write() for it, so the
     * multipart upload was never completed and there was no object to download. Complete it now.
     */
    create(upload: Upload): Promise<Upload>;
    /**
     * The info cache entry is a copy when it lives in Redis: upstream saved the new length to S3 but
     * kept serving the old (unknown) length from the cache, so the upload could never finish.
     */
    declareUploadLength(id: string, length: number): Promise<void>;
    /**
     * The cached info of an upload whose length is still deferred may be stale: another instance (with
     * its own in-memory cache) may have declared the length since. Everything else in the info never
     * changes after creation, so only those entries are re-read from S3.
     */
    protected getMetadata(id: string): Promise<MetadataValue>;
    /**
     * Upstream reports an upload as finished whenever its multipart upload is gone, trusting the cached
     * info. If another instance removed the upload (or a lifecycle rule deleted the object), that cache
     * answered "finished" for an upload that no longer exists. A finished upload must have its object.
     */
    getUpload(id: string): Promise<Upload>;
    private objectExists;
    /**
     * Upstream sizes the parts of a deferred-length upload for S3's 5 TiB maximum (550 MB parts, each
     * buffered in a temp file); Tusk's own maximum upload size is the real bound.
     */
    protected calcOptimalPartSize(size?: number): number;
    /**
     * Deletes unfinished uploads older than the expiry (those whose multipart upload is still open) and
     * partial uploads older than the expiry, finished or not. Upstream counted deleted *objects* (two
     * per upload), left the cache entry, and expired any multipart upload in the bucket; this counts
     * uploads and only touches keys that are upload ids.
     */
    deleteExpired(): Promise<number>;
}
//# sourceMappingURL=s3-datastore.d.ts.map