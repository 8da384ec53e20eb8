/** GET /health: the process answers. GET /ready: and its store accepts writes. */
export function healthRoutes(store, isShuttingDown) {
    return async (ctx, next) => {
        if (ctx.method !== 'GET' && ctx.method !== 'HEAD')
            return next();
        if (ctx.path === '/health') {
            ctx.body = { status: 'ok' };
            return;
        }
        if (ctx.path === '/ready') {
            if (isShuttingDown()) {
                ctx.status = 503;
                ctx.body = { status: 'shutting down' };
                return;
            }
            try {
                await store.checkWritable();
                ctx.body = { status: 'ready', store: store.kind };
            }
            catch (error) {
                ctx.status = 503;
                ctx.body = {
                    status: 'not ready',
                    store: store.kind,
                    reason: error.code ?? 'store check failed',
                };
            }
            return;
        }
        return next();
    };
}
//# sourceMappingURL=health.js.map