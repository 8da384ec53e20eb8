import type { IncomingMessage } from 'node:http';
import { type ExpectedChecksum } from './checksum.js';
/** Whether the request announces an Upload-Checksum trailer. */
export declare function announcesChecksumTrailer(req: IncomingMessage): boolean;
/** The checksum the client sent after the body; 400 when the announced trailer did not come. */
export declare function checksumFromTrailer(req: IncomingMessage): ExpectedChecksum;
//# sourceMappingURL=trailer.d.ts.map