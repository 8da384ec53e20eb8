import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Locker } from '@tus/utils';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { TuskStore } from '../stores/types.js';
export interface TusProtocol {
    /** Handles one request under the base path, writing the whole response. Never rejects. */
    handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
/** Tusk's protocol layer: its own checks and handlers in front of @tus/server. */
export declare function createTusProtocol(deps: {
    config: Config;
    store: TuskStore;
    locker: Locker;
    logger: Logger;
}): TusProtocol;
//# sourceMappingURL=tus-handler.d.ts.map