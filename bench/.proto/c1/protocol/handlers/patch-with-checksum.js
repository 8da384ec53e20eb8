import { ERR } from '../../errors.js';
import { bodyLimit, stageBody } from '../body.js';
import { parseUploadChecksum, verifyChecksum } from '../checksum.js';
import { clientGone } from '../context.js';
import { expiresAt, isExpired } from '../expiry.js';
import { lockUploads } from '../lock.js';
import { sendEmpty } from '../respond.js';
import { stagingDirectory } from '../staging.js';
import { checksumFromTrailer } from '../trailer.js';
import { isFinal } from '../upload-record.js';
/**
 * PATCH with Upload-Checksum (header or announced trailer). "Once the entire request has been
 * received, the Server MUST verify the uploaded chunk against the provided checksum ... 460 Checksum
 * Mismatch if the checksums mismatch ... In the first two cases the uploaded chunk MUST be
 * discarded, and the upload and its offset MUST NOT be updated." The chunk is staged in a file while
 * it is hashed and written to the store only once it has been verified.
 */
export async function patchWithChecksum(ctx, req, res, id) {
    const { datastore } = ctx.store;
    const header = req.headers['upload-checksum'];
    // A bad header or an unknown algorithm is answered before a byte is read (400).
    const announced = header === undefined ? undefined : parseUploadChecksum(String(header));
    const offset = Number(req.headers['upload-offset']);
    const gone = clientGone(res);
    // While the chunk arrives, another request wanting this upload (a client retrying after a
    // timeout) stops it: an incomplete chunk cannot be verified, so it is discarded.
    const receiving = new AbortController();
    gone.signal.addEventListener('abort', () => receiving.abort(gone.signal.reason), { once: true });
    const locks = await lockUploads(ctx.locker, [id], gone.signal, () => {
        receiving.abort(ERR.ABORTED('another request took over this upload'));
    });
    let staged;
    let upload;
    try {
        upload = await datastore.getUpload(id);
        if (isExpired(upload, datastore))
            throw ERR.GONE();
        if (isFinal(upload))
            throw ERR.FINAL_UPLOAD();
        if (upload.offset !== offset)
            throw ERR.OFFSET_CONFLICT(`upload is at ${upload.offset}, request says ${offset}`);
        const declared = declaredLength(req, upload, ctx.config.maxSize, datastore.hasExtension('creation-defer-length'));
        const limit = bodyLimit(req, { offset, size: declared ?? upload.size }, ctx.config.maxSize);
        staged = await stageBody(req, {
            directory: stagingDirectory(ctx.store),
            limit,
            algorithm: announced?.algorithm,
            signal: receiving.signal,
        });
        const expected = announced ?? checksumFromTrailer(req);
        verifyChecksum(expected, staged.digest ?? (await staged.digestWith(expected.algorithm)));
        // Verified: now, and only now, the upload changes.
        if (declared !== undefined) {
            await datastore.declareUploadLength(id, declared);
            upload.size = declared;
        }
        if (staged.size > 0)
            upload.offset = await datastore.write(staged.open(), id, offset);
    }
    finally {
        await staged?.discard();
        await locks.release();
    }
    sendEmpty(res, 204, {
        'Upload-Offset': String(upload.offset),
        'Upload-Expires': expiresAt(upload, datastore)?.toUTCString(),
    });
}
/** Upload-Length on a PATCH declares a deferred length (creation-defer-length); validated here. */
function declaredLength(req, upload, maxSize, deferSupported) {
    const header = req.headers['upload-length'];
    if (header === undefined)
        return undefined;
    const size = Number(header);
    if (!deferSupported)
        throw ERR.INVALID_LENGTH('this store does not support deferred lengths');
    // "Once set the length MUST NOT be changed."
    if (upload.size !== undefined)
        throw ERR.INVALID_LENGTH('the length is already set');
    if (size < upload.offset)
        throw ERR.INVALID_LENGTH('the length is smaller than the offset');
    if (maxSize > 0 && size > maxSize)
        throw ERR.TOO_LARGE();
    return size;
}
//# sourceMappingURL=patch-with-checksum.js.map