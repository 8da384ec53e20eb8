import type { Readable } from 'node:stream';
import type { DataStore, Upload } from '@tus/utils';
/** What a download needs to know about a finished upload's bytes. */
export interface StoredObject {
    size: number;
    lastModified: Date;
    etag: string;
}
/**
 * A store as Tusk sees it: the @tus DataStore that the protocol layer writes through, plus the
 * abilities Tusk adds on top (downloads, readiness). Capabilities are the DataStore's `extensions`
 * plus the optional methods below; Tus-Extension announces exactly what the store can do
 * (server/src/protocol/extensions.ts).
 */
export interface TuskStore {
    readonly kind: string;
    readonly datastore: DataStore;
    /** Size, modification time and entity tag of a finished upload. Throws ERR.NOT_FOUND. */
    stat(id: string): Promise<StoredObject>;
    /** The bytes [start, end] (inclusive) of a finished upload, streamed. */
    createReadStream(id: string, range?: {
        start: number;
        end: number;
    }): Promise<Readable>;
    /** Resolves when the store accepts writes; rejects with the reason otherwise (for /ready). */
    checkWritable(): Promise<void>;
    /** Deletes expired unfinished uploads; returns how many were deleted. */
    deleteExpired(): Promise<number>;
    close(): Promise<void>;
    /**
     * Concatenation capability: fills `final` (already created with `datastore.create`, size = the
     * sum of the partials' sizes) with the bytes of the finished `partials`, in order, inside the
     * store (streamed, or copied server-side), so that afterwards its offset equals its size. The
     * partials are left as they are. Absent when the store cannot: then `concatenation` is not
     * announced and Upload-Concat requests are refused.
     */
    concatenate?(final: Upload, partials: readonly Upload[]): Promise<void>;
    /**
     * Directory where a chunk is staged while its checksum is verified (checksum extension) before it
     * is committed with `datastore.write`; the OS temp directory when absent.
     */
    readonly stagingDirectory?: string;
}
//# sourceMappingURL=types.d.ts.map