import type { IncomingMessage, ServerResponse } from 'node:http';
import { TuskError } from '../errors.js';
import type { Logger } from '../log.js';
/**
 * The one place that turns a thrown value into a status and a short reason. Known errors keep their
 * status; unknown ones are logged with their cause and become a generic 500 that leaks nothing.
 */
export declare function toTuskError(error: unknown, logger: Logger, req?: {
    method?: string;
    url?: string;
}): TuskError;
/** Writes a tus error response (text/plain reason, Tus-Resumable, no caching). */
export declare function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void;
/** Writes a successful tus response without a body (201, 204, 200 for HEAD). */
export declare function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | undefined>): void;
//# sourceMappingURL=respond.d.ts.map