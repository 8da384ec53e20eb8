let sequence = 0;
const seen = new WeakMap();
/**
 * Bytes moved on the connection since its previous request ended: this request's headers and body
 * in, its response out. (Node reads a small body together with the headers, before any middleware
 * runs, so a snapshot taken when the request starts would miss it.)
 */
function socketBytesSinceLastRequest(socket) {
    const before = seen.get(socket) ?? { read: 0, written: 0 };
    const now = { read: socket.bytesRead, written: socket.bytesWritten };
    seen.set(socket, now);
    return { bytesIn: now.read - before.read, bytesOut: now.written - before.written };
}
const prefix = `${process.pid.toString(36)}-`;
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/**
 * One structured line per request, written when the response is done or the client went away:
 * request id, method, path, status, bytes in/out (as counted on the socket, headers included),
 * duration and the upload id when there is one.
 */
export function requestLog(logger, basePath) {
    const uploadPrefix = `${basePath === '/' ? '' : basePath}/`;
    return async (ctx, next) => {
        const started = performance.now();
        const incoming = ctx.get('x-request-id');
        const id = VALID_REQUEST_ID.test(incoming) ? incoming : `${prefix}${(++sequence).toString(36)}`;
        ctx.state.requestId = id;
        ctx.res.setHeader('X-Request-Id', id);
        const { req, res } = ctx;
        const socket = req.socket;
        res.once('close', () => {
            const path = (req.url ?? '').split('?', 1)[0] ?? '';
            const location = res.getHeader('location');
            const uploadId = path.length > uploadPrefix.length && path.startsWith(uploadPrefix)
                ? path.slice(uploadPrefix.length)
                : typeof location === 'string'
                    ? location.slice(location.lastIndexOf('/') + 1)
                    : undefined;
            const line = {
                reqId: id,
                method: req.method,
                path,
                status: res.statusCode,
                ...socketBytesSinceLastRequest(socket),
                ms: Math.round((performance.now() - started) * 10) / 10,
                uploadId: uploadId || undefined,
                aborted: !res.writableFinished || undefined,
            };
            if (res.statusCode >= 500)
                logger.error(line, 'request');
            else
                logger.info(line, 'request');
        });
        await next();
    };
}
//# sourceMappingURL=request-log.js.map