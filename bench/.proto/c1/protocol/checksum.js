import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { ERR } from '../errors.js';
// Checksum extension: "The Server MUST support at least the SHA1 checksum algorithm identified by
// sha1. The names of the checksum algorithms MUST only consist of ASCII characters with the
// modification that uppercase characters are excluded." Listed in Tus-Checksum-Algorithm.
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'sha512', 'md5', 'crc32'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** crc32 with Node's zlib.crc32 (Node >= 20.15), answered as 4 big-endian bytes like the hashes. */
function crc32Digest() {
    let value = 0;
    return {
        update(chunk) {
            value = zlib.crc32(chunk, value);
        },
        digest() {
            const out = Buffer.alloc(4);
            out.writeUInt32BE(value >>> 0);
            return out;
        },
    };
}
export function createDigest(algorithm) {
    if (algorithm === 'crc32')
        return crc32Digest();
    const hash = createHash(algorithm);
    return {
        update: (chunk) => hash.update(chunk),
        digest: () => hash.digest(),
    };
}
/**
 * Parses "Upload-Checksum: <algorithm> <base64 digest>". A malformed value or an algorithm this
 * server does not support answers 400, before any byte of the chunk is read.
 */
export function parseUploadChecksum(value) {
    const parts = value.trim().split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1])
        throw ERR.INVALID_CHECKSUM('expected "<algorithm> <base64>"');
    const [name, encoded] = parts;
    if (!CHECKSUM_ALGORITHMS.includes(name)) {
        throw ERR.CHECKSUM_ALGORITHM(`"${name.slice(0, 20)}" (supported: ${CHECKSUM_ALGORITHMS.join(',')})`);
    }
    if (!BASE64.test(encoded))
        throw ERR.INVALID_CHECKSUM('the checksum is not base64');
    return { algorithm: name, expected: Buffer.from(encoded, 'base64') };
}
/** Throws 460 unless the computed digest is the one the client sent. */
export function verifyChecksum(expected, actual) {
    if (!actual.equals(expected.expected))
        throw ERR.CHECKSUM_MISMATCH(`${expected.algorithm} differs`);
}
//# sourceMappingURL=checksum.js.map