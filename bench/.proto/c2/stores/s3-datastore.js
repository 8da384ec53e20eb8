import { PassThrough } from 'node:stream';
import { S3Store } from '@tus/s3-store';
import { ERRORS } from '@tus/utils';
import { isPartial } from '../protocol/upload-record.js';
// Ids Tusk accepts (protocol/upload-id.ts). Multipart uploads under other keys are not ours to expire.
const UPLOAD_KEY = /^[A-Za-z0-9_-]{1,200}$/;
// Partial uploads (concatenation) expire even when finished (protocol/expiry.ts). An empty marker
// object per partial, created with it, lets deleteExpired() find them without reading every `.info`.
const PARTIAL_MARKERS = 'tusk-partials/';
/** S3 answers "no such thing" with several codes; RGW says NoSuchKey where AWS says NoSuchUpload. */
export function isS3NotFound(error) {
    if (typeof error !== 'object' || error === null)
        return false;
    const { name, Code } = error;
    const code = Code ?? name;
    // Not NoSuchBucket: a missing bucket is a configuration error, never "this upload does not exist".
    return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchUpload';
}
/**
 * @tus/s3-store 2.0.7 with the defects a real S3 (and several instances) show fixed: see remove(),
 * write(), create(), declareUploadLength(), getMetadata(), getUpload() and deleteExpired(). Objects per upload: `<id>` (the multipart upload, then the
 * finished object), `<id>.info` (the upload's JSON) and `<id>.part` (a tail shorter than S3's 5 MiB
 * minimum part, kept until the next PATCH prepends it).
 */
export class TuskS3Store extends S3Store {
    #maxUploadSize;
    constructor(options) {
        const { maxUploadSize, ...rest } = options;
        super(rest);
        this.#maxUploadSize = maxUploadSize;
    }
    /** The S3 client, for Tusk's own reads (downloads, readiness) with the same settings. */
    get s3() {
        return this.client;
    }
    /** Every object key an upload can own, the `.info` last so a failed removal can be retried. */
    objectKeys(id) {
        return [this.partKey(id), this.partKey(id, true), this.infoKey(id)];
    }
    /**
     * Upstream aborts the multipart upload first and turns its NoSuchUpload into 404. A *finished*
     * upload has no multipart upload any more (S3 completed it), so terminating it answered 404 and left
     * `<id>` and `<id>.info` behind (defect A). Upstream also never deleted `<id>.part` (defect B).
     */
    async remove(id) {
        // Read the info fresh: a cached entry may describe an upload another instance already removed.
        await this.clearCache(id);
        let uploadId;
        try {
            uploadId = (await this.getMetadata(id))['upload-id'];
        }
        catch (error) {
            if (isS3NotFound(error))
                throw ERRORS.FILE_NOT_FOUND;
            throw error;
        }
        await this.discard(id, uploadId);
    }
    /** Aborts the multipart upload if it is still open and deletes every object of the upload. */
    async discard(id, uploadId) {
        if (uploadId) {
            try {
                await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId });
            }
            catch (error) {
                // Already completed (a finished upload) or already aborted: there is nothing to abort.
                if (!isS3NotFound(error))
                    throw error;
            }
        }
        const [object, part, info] = this.objectKeys(id);
        await this.deleteKeys([object, part, PARTIAL_MARKERS + id]);
        await this.deleteKeys([info]);
        await this.clearCache(id);
    }
    async deleteKeys(keys) {
        const result = await this.client.deleteObjects({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        });
        const failed = (result.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (failed.length > 0) {
            throw new Error(`S3 DeleteObjects failed for ${failed.map((e) => `${e.Key} (${e.Code})`).join(', ')}`);
        }
    }
    /**
     * Keeps every byte that arrived before the body failed (a client that went away mid-PATCH), as the
     * file store does. Upstream dropped the part it was still cutting, up to a whole part size, so the
     * client had to send those bytes again. The failure is still reported once the bytes are stored.
     */
    async write(src, id, offset) {
        let failure;
        const received = new PassThrough();
        src.once('error', (error) => {
            failure ??= error;
            src.unpipe(received);
            received.end();
        });
        src.pipe(received);
        const newOffset = await super.write(received, id, offset);
        if (failure !== undefined)
            throw failure;
        return newOffset;
    }
    /**
     * A zero-length upload is finished at creation, but @tus/server never calls write() for it, so the
     * multipart upload was never completed and there was no object to download. Complete it now.
     */
    async create(upload) {
        const created = await super.create(upload);
        if (isPartial(created)) {
            await this.client.putObject({
                Bucket: this.bucket,
                Key: PARTIAL_MARKERS + created.id,
                Body: new Uint8Array(0),
            });
        }
        if (created.size === 0) {
            const metadata = await this.getMetadata(created.id);
            await this.finishMultipartUpload(metadata, []);
            await this.completeMetadata(metadata.file);
            await this.clearCache(created.id);
        }
        return created;
    }
    /**
     * The info cache entry is a copy when it lives in Redis: upstream saved the new length to S3 but
     * kept serving the old (unknown) length from the cache, so the upload could never finish.
     */
    async declareUploadLength(id, length) {
        await super.declareUploadLength(id, length);
        await this.clearCache(id);
    }
    /**
     * The cached info of an upload whose length is still deferred may be stale: another instance (with
     * its own in-memory cache) may have declared the length since. Everything else in the info never
     * changes after creation, so only those entries are re-read from S3.
     */
    async getMetadata(id) {
        const cached = await this.cache.get(id);
        if (cached && cached.file.size !== undefined && cached.file.size !== null)
            return cached;
        if (cached)
            await this.cache.delete(id);
        return super.getMetadata(id);
    }
    /**
     * Upstream reports an upload as finished whenever its multipart upload is gone, trusting the cached
     * info. If another instance removed the upload (or a lifecycle rule deleted the object), that cache
     * answered "finished" for an upload that no longer exists. A finished upload must have its object.
     */
    async getUpload(id) {
        const upload = await super.getUpload(id);
        if (upload.size === undefined || upload.offset !== upload.size)
            return upload;
        if (await this.objectExists(id))
            return upload;
        await this.clearCache(id);
        return super.getUpload(id);
    }
    async objectExists(id) {
        try {
            await this.client.headObject({ Bucket: this.bucket, Key: this.partKey(id) });
            return true;
        }
        catch (error) {
            if (isS3NotFound(error))
                return false;
            throw error;
        }
    }
    /**
     * Upstream sizes the parts of a deferred-length upload for S3's 5 TiB maximum (550 MB parts, each
     * buffered in a temp file); Tusk's own maximum upload size is the real bound.
     */
    calcOptimalPartSize(size) {
        return super.calcOptimalPartSize(size ?? this.#maxUploadSize);
    }
    /**
     * Deletes unfinished uploads older than the expiry (those whose multipart upload is still open) and
     * partial uploads older than the expiry, finished or not. Upstream counted deleted *objects* (two
     * per upload), left the cache entry, and expired any multipart upload in the bucket; this counts
     * uploads and only touches keys that are upload ids.
     */
    async deleteExpired() {
        const expiry = this.getExpiration();
        if (expiry <= 0)
            return 0;
        let deleted = 0;
        let KeyMarker;
        let UploadIdMarker;
        for (;;) {
            const page = await this.client.listMultipartUploads({ Bucket: this.bucket, KeyMarker, UploadIdMarker });
            for (const open of page.Uploads ?? []) {
                if (!open.Key || !open.UploadId || !open.Initiated || !UPLOAD_KEY.test(open.Key))
                    continue;
                if (Date.now() <= open.Initiated.getTime() + expiry)
                    continue;
                await this.discard(open.Key, open.UploadId);
                deleted++;
            }
            if (!page.IsTruncated)
                break;
            KeyMarker = page.NextKeyMarker;
            UploadIdMarker = page.NextUploadIdMarker;
        }
        let ContinuationToken;
        do {
            const page = await this.client.listObjectsV2({
                Bucket: this.bucket,
                Prefix: PARTIAL_MARKERS,
                ContinuationToken,
            });
            for (const marker of page.Contents ?? []) {
                const id = marker.Key?.slice(PARTIAL_MARKERS.length) ?? '';
                if (!UPLOAD_KEY.test(id) || !marker.LastModified)
                    continue;
                if (Date.now() <= marker.LastModified.getTime() + expiry)
                    continue;
                // Finished (its multipart upload is complete): nothing left to abort.
                await this.discard(id, undefined);
                deleted++;
            }
            ContinuationToken = page.NextContinuationToken;
        } while (ContinuationToken);
        return deleted;
    }
}
//# sourceMappingURL=s3-datastore.js.map