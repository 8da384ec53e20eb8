import type { ServerResponse } from 'node:http';
import type { Locker } from '@tus/utils';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { TuskStore } from '../stores/types.js';
/** What Tusk's own protocol handlers work with: the same store and locker as @tus/server. */
export interface ProtocolContext {
    readonly config: Config;
    readonly store: TuskStore;
    readonly locker: Locker;
    readonly logger: Logger;
    /** Tus-Extension of this server, composed from the store's capabilities (extensions.ts). */
    readonly extensions: readonly string[];
}
/** Aborts when the client goes away before its response is complete (e.g. while waiting for a lock). */
export declare function clientGone(res: ServerResponse): AbortController;
//# sourceMappingURL=context.d.ts.map