import type { Middleware } from 'koa';
import type { Logger } from '../log.js';
/**
 * One structured line per request, written when the response is done or the client went away:
 * request id, method, path, status, bytes in/out (as counted on the socket, headers included),
 * duration and the upload id when there is one.
 */
export declare function requestLog(logger: Logger, basePath: string): Middleware;
//# sourceMappingURL=request-log.d.ts.map