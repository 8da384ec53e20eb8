import type { Middleware } from 'koa';
import type { TuskStore } from '../stores/types.js';
/** GET /health: the process answers. GET /ready: and its store accepts writes. */
export declare function healthRoutes(store: TuskStore, isShuttingDown: () => boolean): Middleware;
//# sourceMappingURL=health.d.ts.map