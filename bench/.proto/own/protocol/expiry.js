import { isPartial } from './upload-record.js';
// Expiration: unfinished uploads expire `getExpiration()` after creation. Partial uploads
// (concatenation) expire too once complete: they are pieces of a final upload, which holds its own
// copy of their bytes, not deliverables of their own; clients may reuse them until they expire.
/** Whether the upload is subject to expiry at all. */
export function canExpire(upload) {
    const finished = upload.size !== undefined && upload.offset === upload.size;
    return !finished || isPartial(upload);
}
/** When the upload expires, or undefined if it does not. */
export function expiresAt(upload, datastore) {
    const period = datastore.hasExtension('expiration') ? datastore.getExpiration() : 0;
    if (period <= 0 || !upload.creation_date || !canExpire(upload))
        return undefined;
    const created = Date.parse(upload.creation_date);
    return Number.isFinite(created) ? new Date(created + period) : undefined;
}
export function isExpired(upload, datastore, now = Date.now()) {
    const at = expiresAt(upload, datastore);
    return at !== undefined && now > at.getTime();
}
//# sourceMappingURL=expiry.js.map