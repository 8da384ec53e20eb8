import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtocolContext } from '../context.js';
/**
 * HEAD of an upload. Tusk answers it itself because @tus/server re-encodes Upload-Metadata from
 * decoded text (mangling values that are not UTF-8), omits Upload-Concat, and reports finished
 * uploads as gone once their creation is older than the expiry period.
 */
export declare function sendHead(ctx: ProtocolContext, _req: IncomingMessage, res: ServerResponse, id: string): Promise<void>;
//# sourceMappingURL=head.d.ts.map