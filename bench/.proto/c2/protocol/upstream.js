import { Server } from '@tus/server';
import { expiresAt } from './expiry.js';
import { refusingFinalUploads } from './final-guard.js';
import { toTuskError } from './respond.js';
import { isPartial, newMetadataRecord } from './upload-record.js';
/**
 * @tus/server, configured from Tusk's config. It does core PATCH, creation (with upload, deferred
 * length) and termination over the store; Tusk's own handlers sit in front of it for what it lacks
 * (downloads, strict header checks, 412, method override, HEAD, OPTIONS, checksum, concatenation).
 */
export function createUpstream(config, store, locker, logger) {
    const anyOrigin = config.corsOrigins.includes('*');
    return new Server({
        path: config.basePath,
        datastore: refusingFinalUploads(store.datastore),
        locker,
        maxSize: config.maxSize > 0 ? config.maxSize : undefined,
        respectForwardedHeaders: config.trustProxy,
        allowedOrigins: anyOrigin ? undefined : (origin) => config.corsOrigins.includes(origin),
        allowedCredentials: config.corsCredentials,
        allowedHeaders: config.corsAllowedHeaders,
        exposedHeaders: config.corsExposedHeaders,
        // Upload-Metadata values are bytes: keep the header as sent next to @tus's decoded text.
        async onUploadCreate(req, upload) {
            const header = req.headers.get('upload-metadata');
            return { metadata: newMetadataRecord(header ?? undefined) ?? upload.metadata };
        },
        // A partial upload goes on expiring once finished (expiry.ts); @tus omits Upload-Expires then.
        async onUploadFinish(_req, upload) {
            const expires = isPartial(upload) ? expiresAt(upload, store.datastore) : undefined;
            return expires ? { headers: { 'Upload-Expires': expires.toUTCString() } } : {};
        },
        async onResponseError(req, error) {
            const e = toTuskError(error, logger, { method: req.method, url: req.url });
            return { status_code: e.status, body: `${e.message}\n` };
        },
    });
}
//# sourceMappingURL=upstream.js.map