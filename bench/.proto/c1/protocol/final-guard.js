import { ERR } from '../errors.js';
import { isFinal } from './upload-record.js';
/**
 * "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload
 * URL and MUST NOT modify the final or its partial uploads." @tus/server does not know final
 * uploads, so the DataStore it is given refuses them where its PATCH reads the upload (under the
 * lock, before a byte is written): the hot path reads each upload once, as before. @tus/server
 * reads uploads elsewhere only on creation (never a final upload: Tusk creates those itself) and
 * HEAD (Tusk's own). Methods run on the real store (bound), whose private fields a proxy would hide.
 */
export function refusingFinalUploads(datastore) {
    return new Proxy(datastore, {
        get(target, property) {
            if (property === 'getUpload') {
                return async (id) => {
                    const upload = await target.getUpload(id);
                    if (isFinal(upload))
                        throw ERR.FINAL_UPLOAD();
                    return upload;
                };
            }
            const value = Reflect.get(target, property, target);
            return typeof value === 'function' ? value.bind(target) : value;
        },
    });
}
//# sourceMappingURL=final-guard.js.map