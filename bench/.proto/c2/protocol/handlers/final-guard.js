import { ERR } from '../../errors.js';
import { isFinal } from '../upload-record.js';
/**
 * "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload
 * URL and MUST NOT modify the final or its partial uploads." Checked before a plain PATCH goes to
 * @tus/server (which does not know final uploads). One metadata read; unknown uploads are left to
 * @tus/server's 404/410.
 */
export async function refusePatchOfFinal(ctx, id) {
    const upload = await ctx.store.datastore.getUpload(id).catch(() => undefined);
    if (upload && isFinal(upload))
        throw ERR.FINAL_UPLOAD();
}
//# sourceMappingURL=final-guard.js.map