import type { DataStore } from '@tus/utils';
/**
 * "The Server MUST respond with the 403 Forbidden status to PATCH requests against a final upload
 * URL and MUST NOT modify the final or its partial uploads." @tus/server does not know final
 * uploads, so the DataStore it is given refuses them where its PATCH reads the upload (under the
 * lock, before a byte is written): the hot path reads each upload once, as before. @tus/server
 * reads uploads elsewhere only on creation (never a final upload: Tusk creates those itself) and
 * HEAD (Tusk's own). Methods run on the real store (bound), whose private fields a proxy would hide.
 */
export declare function refusingFinalUploads(datastore: DataStore): DataStore;
//# sourceMappingURL=final-guard.d.ts.map