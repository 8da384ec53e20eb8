import type { IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';
import { type DataStore } from '@tus/utils';
import { type ChecksumAlgorithm } from './checksum.js';
/** Plain body → store, as @tus/server writes it: keeps what arrived if stopped; returns new offset. */
export declare function writeBody(req: IncomingMessage, datastore: DataStore, target: {
    id: string;
    offset: number;
    limit: number;
}, signal: AbortSignal): Promise<number>;
export interface StagedBody {
    readonly path: string;
    readonly size: number;
    /** Digest of the staged bytes, computed while they arrived (when an algorithm was given). */
    readonly digest: Buffer | undefined;
    /** The staged bytes, for committing them to the store. */
    open(): Readable;
    /** Digest of the staged bytes with any algorithm (checksum trailers name theirs only at the end). */
    digestWith(algorithm: ChecksumAlgorithm): Promise<Buffer>;
    discard(): Promise<void>;
}
/**
 * Receives a body into a temporary file while hashing it, so the chunk can be verified before any
 * byte reaches the upload (memory stays flat whatever the chunk size). Fails, leaving nothing
 * behind, when the body exceeds `limit`, the client goes away or `signal` aborts.
 */
export declare function stageBody(req: IncomingMessage, options: {
    directory: string;
    limit: number;
    algorithm?: ChecksumAlgorithm;
    signal: AbortSignal;
}): Promise<StagedBody>;
/**
 * How many body bytes the request may carry: at most what is left of the upload (or of the maximum
 * size while the length is deferred). A Content-Length beyond that is refused before reading.
 */
export declare function bodyLimit(req: IncomingMessage, upload: {
    offset: number;
    size: number | undefined;
}, maxSize: number): number;
//# sourceMappingURL=body.d.ts.map