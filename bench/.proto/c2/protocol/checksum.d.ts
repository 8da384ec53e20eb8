export declare const CHECKSUM_ALGORITHMS: readonly ["sha1", "sha256", "sha512", "md5", "crc32"];
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
/** A running digest over a chunk's bytes. */
export interface Digest {
    update(chunk: Buffer): void;
    /** The digest bytes; call once, after the last update. */
    digest(): Buffer;
}
export declare function createDigest(algorithm: ChecksumAlgorithm): Digest;
export interface ExpectedChecksum {
    algorithm: ChecksumAlgorithm;
    /** The digest the client claims, decoded from base64. */
    expected: Buffer;
}
/**
 * Parses "Upload-Checksum: <algorithm> <base64 digest>". A malformed value or an algorithm this
 * server does not support answers 400, before any byte of the chunk is read.
 */
export declare function parseUploadChecksum(value: string): ExpectedChecksum;
/** Throws 460 unless the computed digest is the one the client sent. */
export declare function verifyChecksum(expected: ExpectedChecksum, actual: Buffer): void;
//# sourceMappingURL=checksum.d.ts.map