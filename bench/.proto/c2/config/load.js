import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configKeys, configSchema } from './schema.js';
/** A configuration value that does not fit the schema; main.ts exits with status 2 on it. */
export class ConfigError extends Error {
    name = 'ConfigError';
}
const kebab = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (key) => `TUSK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
/** Parses and freezes a config object; throws ConfigError naming the field and what was expected. */
export function parseConfig(input) {
    const result = configSchema.safeParse(input);
    if (!result.success) {
        const lines = result.error.issues.map((issue) => {
            const field = issue.path.join('.') || '(config)';
            const source = typeof issue.path[0] === 'string' ? ` (--${kebab(issue.path[0])} / ${envName(issue.path[0])})` : '';
            const message = issue.code === 'unrecognized_keys' ? `unknown option(s): ${issue.keys.join(', ')}` : issue.message;
            return `${field}${source}: ${message}`;
        });
        throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
    }
    return Object.freeze(result.data);
}
function readConfigFile(path) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (error) {
        throw new ConfigError(`config: cannot read ${path}: ${error.code ?? error}`);
    }
    try {
        const parsed = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('not an object');
        return parsed;
    }
    catch (error) {
        throw new ConfigError(`config: ${path} is not a JSON object (${error.message})`);
    }
}
/** The only place that reads process.env and argv: file < environment < flags. */
export function loadConfig(argv = process.argv.slice(2), env = process.env) {
    const options = Object.fromEntries([
        ['config', { type: 'string' }],
        ['help', { type: 'boolean', short: 'h' }],
        ...configKeys.map((key) => [kebab(key), { type: 'string' }]),
    ]);
    let flags;
    try {
        flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    }
    catch (error) {
        throw new ConfigError(error.message);
    }
    if (flags.help)
        throw new HelpRequested();
    const configPath = flags.config ?? env.TUSK_CONFIG;
    const merged = configPath ? readConfigFile(configPath) : {};
    for (const key of configKeys) {
        const fromEnv = env[envName(key)];
        if (fromEnv !== undefined && fromEnv !== '')
            merged[key] = fromEnv;
        const fromFlag = flags[kebab(key)];
        if (fromFlag !== undefined)
            merged[key] = fromFlag;
    }
    return parseConfig(merged);
}
export class HelpRequested extends Error {
}
export function helpText() {
    const rows = configKeys.map((key) => {
        const field = configSchema.shape[key];
        return `  --${kebab(key).padEnd(22)} ${envName(key).padEnd(26)} ${field.description ?? ''}`;
    });
    return [
        'usage: tusk-server [--config file.json] [--option value]...',
        '',
        '  flag                     environment variable       meaning',
        ...rows,
        '',
        'Precedence: flags > environment > config file > defaults (see README).',
    ].join('\n');
}
//# sourceMappingURL=load.js.map