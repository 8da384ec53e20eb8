import { ERRORS } from '@tus/utils';
import { ERR, TuskError } from '../errors.js';
import { TUS_VERSION } from './request-checks.js';
const isTusLibraryError = (e) => typeof e === 'object' && e !== null && typeof e.status_code === 'number';
// @tus/server answers a few conditions with statuses the spec or common sense disagree with.
const REMAPPED = new Map([
    // A lock that cannot be had in time is contention, not a server fault: 423 lets clients retry.
    [
        ERRORS.ERR_LOCK_TIMEOUT,
        () => new TuskError('ERR_LOCKED', 423, 'upload is locked by another request; retry'),
    ],
    [ERRORS.FILE_NOT_FOUND, () => ERR.NOT_FOUND()],
]);
/**
 * The one place that turns a thrown value into a status and a short reason. Known errors keep their
 * status; unknown ones are logged with their cause and become a generic 500 that leaks nothing.
 */
export function toTuskError(error, logger, req) {
    if (error instanceof TuskError)
        return error;
    if (isTusLibraryError(error)) {
        const remapped = REMAPPED.get(error);
        if (remapped)
            return remapped();
        if (error.status_code < 500) {
            return new TuskError('ERR_TUS', error.status_code, error.body.trim().split('\n')[0] ?? 'request refused');
        }
    }
    logger.error({ err: error, method: req?.method, url: req?.url }, 'unexpected error while handling a request');
    return new TuskError('ERR_INTERNAL', 500, 'internal server error');
}
/** Writes a tus error response (text/plain reason, Tus-Resumable, no caching). */
export function sendError(req, res, error, logger) {
    const tuskError = toTuskError(error, logger, req);
    if (res.headersSent) {
        // Too late for a status: the only honest signal left is to cut the connection.
        res.destroy();
        return;
    }
    const body = req.method === 'HEAD' ? '' : `${tuskError.message}\n`;
    res.statusCode = tuskError.status;
    res.setHeader('Tus-Resumable', TUS_VERSION);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', String(Buffer.byteLength(body)));
    for (const [name, value] of Object.entries(tuskError.headers))
        res.setHeader(name, value);
    // A refused request whose body was not read (413, 460 on a chunked body, ...): close the
    // connection rather than read the rest of it just to keep the connection alive.
    if (!req.complete)
        res.setHeader('Connection', 'close');
    res.end(body);
}
/** Writes a successful tus response without a body (201, 204, 200 for HEAD). */
export function sendEmpty(res, status, headers) {
    res.statusCode = status;
    res.setHeader('Tus-Resumable', TUS_VERSION);
    for (const [name, value] of Object.entries(headers))
        if (value !== undefined)
            res.setHeader(name, value);
    // Without a length Node closes the connection after a bodiless 200/201; keep it alive.
    if (status !== 204 && status !== 304)
        res.setHeader('Content-Length', '0');
    res.end();
}
//# sourceMappingURL=respond.js.map