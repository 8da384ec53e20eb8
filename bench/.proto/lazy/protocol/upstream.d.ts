import { Server } from '@tus/server';
import type { Locker } from '@tus/utils';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { TuskStore } from '../stores/types.js';
/**
 * @tus/server, configured from Tusk's config. It does core PATCH, creation (with upload, deferred
 * length) and termination over the store; Tusk's own handlers sit in front of it for what it lacks
 * (downloads, strict header checks, 412, method override, HEAD, OPTIONS, checksum, concatenation).
 */
export declare function createUpstream(config: Config, store: TuskStore, locker: Locker, logger: Logger): Server;
//# sourceMappingURL=upstream.d.ts.map