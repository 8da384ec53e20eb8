import type { ServerResponse } from 'node:http';
import type { ProtocolContext } from '../context.js';
/**
 * OPTIONS: "A successful response ... MUST contain the Tus-Version header. It MAY include the
 * Tus-Extension and Tus-Max-Size headers"; with checksum, "The Tus-Checksum-Algorithm header MUST be
 * included". Tus-Extension lists exactly what this store supports.
 */
export declare function sendOptions(ctx: ProtocolContext, res: ServerResponse): void;
//# sourceMappingURL=options.d.ts.map