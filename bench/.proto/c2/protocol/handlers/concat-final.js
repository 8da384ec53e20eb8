import { Uid, Upload } from '@tus/utils';
import { ERR } from '../../errors.js';
import { clientGone } from '../context.js';
import { isExpired } from '../expiry.js';
import { uploadIdFromUrl, uploadUrl } from '../location.js';
import { lockUploads } from '../lock.js';
import { headerText } from '../request-checks.js';
import { sendEmpty } from '../respond.js';
import { isPartial, newMetadataRecord } from '../upload-record.js';
import { carriesUploadData } from './create.js';
/**
 * POST with `Upload-Concat: final;<url> <url> ...`: creates the final upload from finished partial
 * uploads of this server, in the order given (the same partial may appear more than once). The
 * store assembles the bytes (TuskStore.concatenate); the final upload is complete when the 201 is
 * sent. Its metadata comes only from this request: "the partial uploads' metadata SHALL NOT be
 * transferred to the new final upload".
 */
export async function createFinalUpload(ctx, req, res, concat) {
    const { store } = ctx;
    const { datastore } = store;
    const concatenate = store.concatenate?.bind(store);
    if (!concatenate)
        throw ERR.CONCAT_UNSUPPORTED();
    // "The Client MUST NOT include the Upload-Length header in the final upload creation."
    if (req.headers['upload-length'] !== undefined || req.headers['upload-defer-length'] !== undefined) {
        throw ERR.INVALID_CONCAT('a final upload takes its length from its partial uploads; omit Upload-Length');
    }
    if (carriesUploadData(req) && req.headers['content-length'] !== '0') {
        throw ERR.INVALID_CONCAT('a final upload is assembled from its partial uploads and takes no data');
    }
    const urls = concat.slice('final;'.length).split(' ').filter(Boolean);
    if (urls.length === 0)
        throw ERR.INVALID_CONCAT('"final;" names no partial uploads');
    const ids = urls.map((url) => uploadIdFromUrl(req, ctx.config, url));
    const gone = clientGone(res);
    const final = new Upload({
        id: Uid.rand(),
        offset: 0,
        metadata: newMetadataRecord(headerText(req, 'upload-metadata'), concat),
    });
    // Checked once before locking: asking for the lock of a partial that is still receiving a PATCH
    // would make that PATCH stop (the locker asks holders to let go), only to refuse this request.
    for (const id of new Set(ids))
        await partialUpload(ctx, id);
    // The partials are locked while they are read, so that none is deleted half-way through.
    const locks = await lockUploads(ctx.locker, [final.id, ...ids], gone.signal);
    try {
        const unique = new Map();
        for (const id of new Set(ids))
            unique.set(id, await partialUpload(ctx, id));
        const partials = ids.map((id) => unique.get(id));
        // "The length of the final upload MUST be the sum of the length of all partial uploads."
        final.size = partials.reduce((sum, partial) => sum + (partial.size ?? 0), 0);
        if (ctx.config.maxSize > 0 && final.size > ctx.config.maxSize) {
            throw ERR.TOO_LARGE(`the partial uploads add up to ${final.size} > Tus-Max-Size ${ctx.config.maxSize}`);
        }
        await datastore.create(final);
        try {
            await concatenate(final, partials);
            const assembled = await datastore.getUpload(final.id);
            if (assembled.offset !== final.size)
                throw new Error(`assembled ${assembled.offset} of ${final.size} bytes`);
        }
        catch (error) {
            // A final upload that could not be assembled must not stay behind looking like one.
            await datastore.remove(final.id).catch(() => { });
            throw error;
        }
    }
    finally {
        await locks.release();
    }
    sendEmpty(res, 201, { Location: uploadUrl(req, ctx.config, final.id) });
}
/** A partial upload that can be concatenated now: it exists, is partial, is finished, has not expired. */
async function partialUpload(ctx, id) {
    const { datastore } = ctx.store;
    let upload;
    try {
        upload = await datastore.getUpload(id);
    }
    catch {
        throw ERR.INVALID_CONCAT(`partial upload ${id} does not exist`);
    }
    if (isExpired(upload, datastore))
        throw ERR.INVALID_CONCAT(`partial upload ${id} has expired`);
    if (!isPartial(upload))
        throw ERR.INVALID_CONCAT(`upload ${id} is not a partial upload`);
    // Tusk does not offer concatenation-unfinished: "This concatenation request SHOULD happen after
    // all of the corresponding partial uploads are completed."
    if (upload.size === undefined || upload.offset !== upload.size) {
        throw ERR.INVALID_CONCAT(`partial upload ${id} is not finished`);
    }
    return upload;
}
//# sourceMappingURL=concat-final.js.map