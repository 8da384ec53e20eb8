import type { Middleware } from 'koa';
import type { Config } from '../config/schema.js';
/** CORS for browsers: the tus headers both ways, plus whatever the operator adds. */
export declare function corsMiddleware(config: Config): Middleware;
//# sourceMappingURL=cors.d.ts.map