import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ProtocolContext } from '../context.js';
/** Whether a creation request carries upload data (creation-with-upload), as @tus/server decides it. */
export declare const carriesUploadData: (req: IncomingMessage) => boolean;
/**
 * POST creation that @tus/server cannot do: a partial upload (`Upload-Concat: partial`) and
 * creation-with-upload with a checksum. With a checksum, the body is staged and verified before
 * the upload is created: a chunk that fails (460) or names an unknown algorithm (400) leaves nothing.
 */
export declare function createUpload(ctx: ProtocolContext, req: IncomingMessage, res: ServerResponse, options: {
    concat?: 'partial';
}): Promise<void>;
//# sourceMappingURL=create.d.ts.map