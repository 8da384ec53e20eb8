import type { IncomingMessage, ServerResponse } from 'node:http';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Wraps an HTTP request handler so that locks taken while serving a request can fence it. */
export declare function withRequestScope(handler: Handler): Handler;
/**
 * A function that cuts the current request at once: its body stops flowing into the store (the
 * bytes already written stay, so the client can resume) and the client sees a closed connection.
 * Undefined outside a request scope (programmatic use of a lock).
 */
export declare function currentRequestFence(): ((reason: Error) => void) | undefined;
export {};
//# sourceMappingURL=request-scope.d.ts.map