#!/usr/bin/env node
import cluster from 'node:cluster';
import { runSupervisor, shouldSupervise } from './cluster/supervisor.js';
import { ConfigError, HelpRequested, helpText, loadConfig } from './config/load.js';
import { formatSize } from './config/units.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
// The command line: read config (exit 2 when invalid), start, print the URL and effective config,
// and stop gracefully on the first SIGTERM/SIGINT (at once on the second).
async function main() {
    let config;
    try {
        config = loadConfig();
    }
    catch (error) {
        if (error instanceof HelpRequested) {
            console.log(helpText());
            process.exit(0);
        }
        if (error instanceof ConfigError) {
            console.error(`tusk-server: ${error.message}`);
            process.exit(2);
        }
        throw error;
    }
    if (shouldSupervise(config)) {
        runSupervisor(config, createLogger(config));
        return;
    }
    const server = await startServer(config);
    server.logger.info({
        config: {
            ...config,
            maxSize: formatSize(config.maxSize),
            // Secrets never reach the log.
            s3SecretAccessKey: config.s3SecretAccessKey && '[redacted]',
            s3SessionToken: config.s3SessionToken && '[redacted]',
        },
    }, 'effective configuration');
    if (!cluster.isWorker)
        console.log(`Tusk is serving tus uploads at ${server.url} (store: ${config.store})`);
    let signals = 0;
    const onSignal = (signal) => {
        signals++;
        if (signals > 1) {
            server.logger.warn({ signal }, 'second signal: exiting now');
            process.exit(1);
        }
        server.logger.info({ signal, timeoutMs: config.shutdownTimeout }, 'shutting down gracefully');
        server.close().then(() => process.exit(0), (error) => {
            server.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
        });
    };
    process.on('SIGTERM', onSignal);
    // In cluster mode the supervisor owns Ctrl-C (which reaches the whole process group) and forwards SIGTERM.
    process.on('SIGINT', cluster.isWorker ? () => { } : onSignal);
}
main().catch((error) => {
    console.error('tusk-server: failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
});
//# sourceMappingURL=main.js.map