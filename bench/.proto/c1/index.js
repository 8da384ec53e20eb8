export { ConfigError, loadConfig, parseConfig } from './config/load.js';
export { configKeys, configSchema } from './config/schema.js';
export { ERR, TuskError } from './errors.js';
export { createLogger } from './log.js';
export { startServer } from './server.js';
//# sourceMappingURL=index.js.map