import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';
type UrlConfig = Pick<Config, 'basePath' | 'trustProxy'>;
/** The absolute URL of an upload, for Location. */
export declare function uploadUrl(req: IncomingMessage, config: UrlConfig, id: string): string;
/**
 * The upload id an URL in Upload-Concat names. "The partial uploads URLs MAY be absolute or
 * relative"; either way it must point at an upload of this server (same host, under the base path).
 */
export declare function uploadIdFromUrl(req: IncomingMessage, config: UrlConfig, reference: string): string;
export {};
//# sourceMappingURL=location.d.ts.map