import cors from '@koa/cors';
import { HEADERS } from '@tus/utils';
const TUS_METHODS = ['POST', 'GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'];
/** CORS for browsers: the tus headers both ways, plus whatever the operator adds. */
export function corsMiddleware(config) {
    const anyOrigin = config.corsOrigins.includes('*');
    return cors({
        origin: (ctx) => {
            const origin = ctx.get('origin');
            if (anyOrigin)
                return config.corsCredentials ? origin : '*';
            return config.corsOrigins.includes(origin) ? origin : '';
        },
        allowMethods: TUS_METHODS,
        allowHeaders: [...HEADERS, 'Upload-Checksum', 'X-Request-Id', ...config.corsAllowedHeaders],
        exposeHeaders: [
            ...HEADERS,
            'Upload-Expires',
            'Tus-Checksum-Algorithm',
            'X-Request-Id',
            'Content-Range',
            'Content-Disposition',
            ...config.corsExposedHeaders,
        ],
        credentials: config.corsCredentials,
        maxAge: 86_400,
        keepHeadersOnError: true,
    });
}
//# sourceMappingURL=cors.js.map