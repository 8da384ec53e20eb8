import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ProtocolContext } from '../context.js';
/**
 * PATCH with Upload-Checksum (header or announced trailer). "Once the entire request has been
 * received, the Server MUST verify the uploaded chunk against the provided checksum ... 460 Checksum
 * Mismatch if the checksums mismatch ... In the first two cases the uploaded chunk MUST be
 * discarded, and the upload and its offset MUST NOT be updated." The chunk is staged in a file while
 * it is hashed and written to the store only once it has been verified.
 */
export declare function patchWithChecksum(ctx: ProtocolContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void>;
//# sourceMappingURL=patch-with-checksum.d.ts.map