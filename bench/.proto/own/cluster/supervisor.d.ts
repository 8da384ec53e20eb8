import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
/** True when this process should supervise workers instead of serving (`--workers` > 1). */
export declare const shouldSupervise: (config: Config) => boolean;
/**
 * Cluster mode: N workers share one port (node:cluster hands connections round-robin). The supervisor
 * restarts a worker that dies, relays lock messages between workers (the file locker's release
 * requests), and turns SIGTERM/SIGINT into a graceful stop of every worker.
 */
export declare function runSupervisor(config: Config, logger: Logger): void;
//# sourceMappingURL=supervisor.d.ts.map