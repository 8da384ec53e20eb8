import type { ProtocolContext } from '../context.js';
/**
 * "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload
 * URL and MUST NOT modify the final or its partial uploads." Checked before a plain PATCH goes to
 * @tus/server (which does not know final uploads). One metadata read; unknown uploads are left to
 * @tus/server's 404/410.
 */
export declare function refusePatchOfFinal(ctx: ProtocolContext, id: string): Promise<void>;
//# sourceMappingURL=final-guard.d.ts.map