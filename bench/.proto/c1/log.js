import pino, {} from 'pino';
/** JSON lines for machines; pino-pretty when a person is watching a terminal. */
export function createLogger(config, destination) {
    const options = { level: config.logLevel, base: { pid: process.pid } };
    if (destination)
        return pino(options, destination);
    if (process.stdout.isTTY) {
        return pino({
            ...options,
            transport: {
                target: 'pino-pretty',
                options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
            },
        });
    }
    return pino(options);
}
//# sourceMappingURL=log.js.map