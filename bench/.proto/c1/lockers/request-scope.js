import { AsyncLocalStorage } from 'node:async_hooks';
const storage = new AsyncLocalStorage();
/** Wraps an HTTP request handler so that locks taken while serving a request can fence it. */
export function withRequestScope(handler) {
    return (req, res) => storage.run({ req, res }, handler, req, res);
}
/**
 * A function that cuts the current request at once: its body stops flowing into the store (the
 * bytes already written stay, so the client can resume) and the client sees a closed connection.
 * Undefined outside a request scope (programmatic use of a lock).
 */
export function currentRequestFence() {
    const scope = storage.getStore();
    if (!scope)
        return undefined;
    return (reason) => {
        // IncomingMessage only emits 'error' when someone listens, so this cannot crash the process.
        scope.req.destroy(reason);
        scope.res.destroy();
    };
}
//# sourceMappingURL=request-scope.js.map