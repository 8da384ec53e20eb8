import type { Middleware } from 'koa';
import type { TusProtocol } from '../protocol/tus-handler.js';
/**
 * Hands every request under the base path (the base path itself, with or without a trailing
 * slash, and everything below it) to the protocol layer with Koa's response handling switched off.
 * A router pattern such as "/files/(.*)" misses creation at "POST /files"; a prefix test cannot.
 */
export declare function tusMount(basePath: string, protocol: TusProtocol, inFlight: Set<Promise<void>>): Middleware;
//# sourceMappingURL=tus-mount.d.ts.map