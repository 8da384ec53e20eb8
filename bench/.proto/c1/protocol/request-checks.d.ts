import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';
export declare const TUS_VERSION = "1.0.0";
/**
 * "The X-HTTP-Method-Override request header MUST be a string which MUST be interpreted as the
 * request's method by the Server, if the header is presented. The actual method of the request
 * MUST be ignored." Rewrites req.method so every later layer sees the effective method.
 */
export declare function applyMethodOverride(req: IncomingMessage): void;
/** A request header as one string (Node types headers it does not know as possibly repeated). */
export declare function headerText(req: IncomingMessage, name: string): string | undefined;
/**
 * The checks every tus request passes before a handler or a store sees it, so that bad input gets a
 * 4xx with a reason instead of reaching code that would misread it.
 */
export declare function checkTusRequest(req: IncomingMessage, config: Pick<Config, 'maxSize'>): void;
//# sourceMappingURL=request-checks.d.ts.map