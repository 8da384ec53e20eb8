import http from 'node:http';
import type { Config, ConfigInput } from './config/schema.js';
import { type Logger } from './log.js';
import type { TuskStore } from './stores/types.js';
export interface TuskServer {
    /** The tus endpoint, e.g. http://127.0.0.1:1080/files */
    readonly url: string;
    readonly origin: string;
    readonly config: Config;
    readonly logger: Logger;
    readonly store: TuskStore;
    readonly http: http.Server;
    /**
     * Graceful stop: stop accepting, let in-flight requests finish for up to shutdownTimeout, then cut
     * the rest (their received bytes are kept by the store), stop timers and close the store.
     */
    close(): Promise<void>;
}
export declare function startServer(input?: ConfigInput | Config, options?: {
    logger?: Logger;
}): Promise<TuskServer>;
//# sourceMappingURL=server.d.ts.map