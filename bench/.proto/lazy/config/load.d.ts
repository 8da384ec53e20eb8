import { type Config, type ConfigInput } from './schema.js';
/** A configuration value that does not fit the schema; main.ts exits with status 2 on it. */
export declare class ConfigError extends Error {
    name: string;
}
/** Parses and freezes a config object; throws ConfigError naming the field and what was expected. */
export declare function parseConfig(input: ConfigInput | Record<string, unknown>): Config;
/** The only place that reads process.env and argv: file < environment < flags. */
export declare function loadConfig(argv?: string[], env?: NodeJS.ProcessEnv): Config;
export declare class HelpRequested extends Error {
}
export declare function helpText(): string;
//# sourceMappingURL=load.d.ts.map