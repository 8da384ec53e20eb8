export { ConfigError, loadConfig, parseConfig } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export { configKeys, configSchema } from './config/schema.js';
export { ERR, TuskError } from './errors.js';
export { createLogger, type Logger } from './log.js';
export { startServer, type TuskServer } from './server.js';
export type { StoredObject, TuskStore } from './stores/types.js';
//# sourceMappingURL=index.d.ts.map