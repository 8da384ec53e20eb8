import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataStore } from '@tus/utils';
import type { TuskStore } from '../stores/types.js';
/**
 * GET of a finished upload: streams it with validators and single byte ranges. Never loads the
 * file, never lets a client that goes away take the process down (pipeline errors end here).
 */
export declare function sendDownload(req: IncomingMessage, res: ServerResponse, store: TuskStore, datastore: DataStore, id: string): Promise<void>;
//# sourceMappingURL=download.d.ts.map