import { ERR } from '../../errors.js';
import { bodyLimit, writeBody } from '../body.js';
import { clientGone } from '../context.js';
import { expiresAt, isExpired } from '../expiry.js';
import { lockUploads } from '../lock.js';
import { sendEmpty } from '../respond.js';
import { isFinal } from '../upload-record.js';
// PROTOTYPE for the benchmark: a plain PATCH written by Tusk itself, without @tus/server's Request adaptation.
export async function patchDirect(ctx, req, res, id) {
    const { datastore } = ctx.store;
    const offset = Number(req.headers['upload-offset']);
    const gone = clientGone(res);
    const receiving = new AbortController();
    gone.signal.addEventListener('abort', () => receiving.abort(gone.signal.reason), { once: true });
    const locks = await lockUploads(ctx.locker, [id], gone.signal, () => receiving.abort(ERR.ABORTED('another request took over this upload')));
    let upload;
    try {
        upload = await datastore.getUpload(id);
        if (isExpired(upload, datastore)) throw ERR.GONE();
        if (isFinal(upload)) throw ERR.FINAL_UPLOAD();
        if (upload.offset !== offset) throw ERR.OFFSET_CONFLICT(`upload is at ${upload.offset}, request says ${offset}`);
        const limit = bodyLimit(req, upload, ctx.config.maxSize);
        upload.offset = await writeBody(req, datastore, { id, offset, limit }, receiving.signal);
    } finally {
        await locks.release();
    }
    sendEmpty(res, 204, { 'Upload-Offset': String(upload.offset), 'Upload-Expires': expiresAt(upload, datastore)?.toUTCString() });
}
