import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ProtocolContext } from '../context.js';
/**
 * POST with `Upload-Concat: final;<url> <url> ...`: creates the final upload from finished partial
 * uploads of this server, in the order given (the same partial may appear more than once). The
 * store assembles the bytes (TuskStore.concatenate); the final upload is complete when the 201 is
 * sent. Its metadata comes only from this request: "the partial uploads' metadata SHALL NOT be
 * transferred to the new final upload".
 */
export declare function createFinalUpload(ctx: ProtocolContext, req: IncomingMessage, res: ServerResponse, concat: string): Promise<void>;
//# sourceMappingURL=concat-final.d.ts.map