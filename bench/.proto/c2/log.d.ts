import pino, { type Logger } from 'pino';
import type { Config } from './config/schema.js';
export type { Logger };
/** JSON lines for machines; pino-pretty when a person is watching a terminal. */
export declare function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger;
//# sourceMappingURL=log.d.ts.map