import { ERR } from '../../errors.js';
import { clientGone } from '../context.js';
import { expiresAt, isExpired } from '../expiry.js';
import { lockUploads } from '../lock.js';
import { sendEmpty } from '../respond.js';
import { concatOf, isFinal, metadataHeader } from '../upload-record.js';
/**
 * HEAD of an upload. Tusk answers it itself because @tus/server re-encodes Upload-Metadata from
 * decoded text (mangling values that are not UTF-8), omits Upload-Concat, and reports finished
 * uploads as gone once their creation is older than the expiry period.
 */
export async function sendHead(ctx, _req, res, id) {
    const { datastore } = ctx.store;
    // Locked like @tus/server's HEAD: a resuming client's HEAD makes a stale PATCH on the same upload
    // let go, and sees the offset after that PATCH has stored what it received.
    const locks = await lockUploads(ctx.locker, [id], clientGone(res).signal);
    let upload;
    try {
        upload = await datastore.getUpload(id);
    }
    finally {
        await locks.release();
    }
    // "If a Client does attempt to resume an upload which has since been removed by the Server, the
    // Server SHOULD respond with the 404 Not Found or 410 Gone status."
    if (isExpired(upload, datastore))
        throw ERR.GONE();
    const concat = concatOf(upload);
    const complete = upload.size !== undefined && upload.offset === upload.size;
    sendEmpty(res, 200, {
        // "The Server MUST prevent the client and/or proxies from caching the response"
        'Cache-Control': 'no-store',
        // "MUST always include the Upload-Offset header" — except a final upload still being assembled:
        // "SHOULD NOT contain the Upload-Offset header unless the concatenation has been successfully finished".
        'Upload-Offset': isFinal(upload) && !complete ? undefined : String(upload.offset),
        'Upload-Length': upload.size === undefined ? undefined : String(upload.size),
        'Upload-Defer-Length': upload.size === undefined ? '1' : undefined,
        // "responses to HEAD requests MUST include the Upload-Metadata header and its value as specified
        // by the Client during the creation"
        'Upload-Metadata': metadataHeader(upload),
        // "MUST include the Upload-Concat header and its value as received in the upload creation request"
        'Upload-Concat': concat,
        'Upload-Expires': expiresAt(upload, datastore)?.toUTCString(),
    });
}
//# sourceMappingURL=head.js.map