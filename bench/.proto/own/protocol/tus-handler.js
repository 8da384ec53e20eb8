import { ERR } from '../errors.js';
import { sendDownload } from './download.js';
import { supportedExtensions } from './extensions.js';
import { createFinalUpload } from './handlers/concat-final.js';
import { createUpload } from './handlers/create.js';
import { patchDirect } from './handlers/patch-direct.js';
import { sendHead } from './handlers/head.js';
import { sendOptions } from './handlers/options.js';
import { patchWithChecksum } from './handlers/patch-with-checksum.js';
import { applyMethodOverride, checkTusRequest, headerText } from './request-checks.js';
import { sendError } from './respond.js';
import { announcesChecksumTrailer } from './trailer.js';
import { resolveTarget } from './upload-id.js';
import { createUpstream } from './upstream.js';
/** Tusk's protocol layer: its own checks and handlers in front of @tus/server. */
export function createTusProtocol(deps) {
    const { config, store, logger } = deps;
    const upstream = createUpstream(config, store, deps.locker, logger);
    const ctx = { ...deps, extensions: supportedExtensions(store) };
    return {
        async handle(req, res) {
            try {
                applyMethodOverride(req);
                const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
                const target = resolveTarget(pathname, config.basePath);
                const method = req.method ?? 'GET';
                if (target.kind === 'none')
                    throw ERR.NOT_FOUND();
                if (method === 'GET') {
                    if (target.kind !== 'upload')
                        throw ERR.METHOD_NOT_ALLOWED('GET needs an upload URL');
                    await sendDownload(req, res, store, store.datastore, target.id);
                    return;
                }
                checkTusRequest(req, config);
                if (method === 'OPTIONS')
                    return sendOptions(ctx, res);
                if (target.kind === 'collection') {
                    if (method !== 'POST')
                        throw ERR.METHOD_NOT_ALLOWED(`${method} needs an upload URL`);
                    const concat = headerText(req, 'upload-concat');
                    if (concat !== undefined) {
                        if (!ctx.extensions.includes('concatenation'))
                            throw ERR.CONCAT_UNSUPPORTED();
                        if (concat === 'partial')
                            return await createUpload(ctx, req, res, { concat: 'partial' });
                        if (concat.startsWith('final;'))
                            return await createFinalUpload(ctx, req, res, concat);
                        throw ERR.INVALID_CONCAT('expected "partial" or "final;<url> <url> ..."');
                    }
                    if (req.headers['upload-checksum'] !== undefined || announcesChecksumTrailer(req)) {
                        return await createUpload(ctx, req, res, {});
                    }
                    return await createUpload(ctx, req, res, {});
                }
                const id = target.id;
                switch (method) {
                    case 'POST':
                        throw ERR.METHOD_NOT_ALLOWED('POST goes to the base path');
                    case 'HEAD':
                        return await sendHead(ctx, req, res, id);
                    case 'PATCH':
                        if (req.headers['upload-checksum'] !== undefined || announcesChecksumTrailer(req)) {
                            return await patchWithChecksum(ctx, req, res, id);
                        }
                        // The hot path: plain PATCH bytes go straight through @tus/server to the store
                        // (which refuses final uploads, see final-guard.ts).
                        if (req.headers['upload-length'] === undefined) return await patchDirect(ctx, req, res, id);
                        return await upstream.handle(req, res);
                    default:
                        return await upstream.handle(req, res);
                }
            }
            catch (error) {
                sendError(req, res, error, logger);
            }
        },
    };
}
//# sourceMappingURL=tus-handler.js.map