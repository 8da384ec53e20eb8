import Koa from 'koa';
import { corsMiddleware } from './cors.js';
import { healthRoutes } from './health.js';
import { requestLog } from './request-log.js';
import { tusMount } from './tus-mount.js';
/** The Koa host: host concerns as middleware, then the tus protocol layer under the base path. */
export function createApp(deps) {
    const app = new Koa({ proxy: deps.config.trustProxy });
    app.silent = true;
    app.on('error', (error) => deps.logger.error({ err: error }, 'host error'));
    app.use(requestLog(deps.logger, deps.config.basePath));
    app.use(corsMiddleware(deps.config));
    app.use(healthRoutes(deps.store, deps.isShuttingDown));
    app.use(tusMount(deps.config.basePath, deps.protocol, deps.inFlight));
    return app;
}
//# sourceMappingURL=app.js.map