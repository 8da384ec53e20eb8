import Koa from 'koa';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { TusProtocol } from '../protocol/tus-handler.js';
import type { TuskStore } from '../stores/types.js';
export interface AppDeps {
    config: Config;
    logger: Logger;
    store: TuskStore;
    protocol: TusProtocol;
    inFlight: Set<Promise<void>>;
    isShuttingDown: () => boolean;
}
/** The Koa host: host concerns as middleware, then the tus protocol layer under the base path. */
export declare function createApp(deps: AppDeps): Koa;
//# sourceMappingURL=app.d.ts.map