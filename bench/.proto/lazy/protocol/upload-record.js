import { parseMetadata } from './metadata.js';
// What tus needs to remember about an upload beyond @tus's Upload model (the Upload-Metadata header
// exactly as sent, and the Upload-Concat value) is kept inside the upload's metadata record, under
// keys that a client can never send: Upload-Metadata keys cannot contain a space. Every @tus
// DataStore persists the metadata record as it is, so this works on any store without store code.
const RAW_METADATA_KEY = ' tusk.upload-metadata';
const CONCAT_KEY = ' tusk.upload-concat';
const RESERVED = new Set([RAW_METADATA_KEY, CONCAT_KEY]);
/**
 * The metadata record of a new upload: each value decoded to text the way @tus does (so filenames
 * and content types are readable by stores and downloads), plus the header exactly as received,
 * because values are arbitrary bytes that text cannot carry; and the Upload-Concat value, if any.
 * The header has passed request-checks.ts, so it parses.
 */
export function newMetadataRecord(header, concat) {
    const record = {};
    if (header !== undefined) {
        const pairs = parseMetadata(header);
        if (!('error' in pairs)) {
            for (const { key, base64 } of pairs)
                record[key] = base64 ? Buffer.from(base64, 'base64').toString('utf8') : null;
        }
        record[RAW_METADATA_KEY] = header;
    }
    if (concat !== undefined)
        record[CONCAT_KEY] = concat;
    return Object.keys(record).length > 0 ? record : undefined;
}
/** The Upload-Metadata header to answer on HEAD: as received, or (uploads without it) re-encoded. */
export function metadataHeader(upload) {
    const metadata = upload.metadata;
    if (!metadata)
        return undefined;
    const raw = metadata[RAW_METADATA_KEY];
    if (typeof raw === 'string')
        return raw;
    const pairs = Object.entries(publicMetadata(metadata) ?? {}).map(([key, value]) => value === null ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`);
    return pairs.length > 0 ? pairs.join(',') : undefined;
}
/** The metadata a client sent, decoded, without Tusk's own bookkeeping keys. */
export function publicMetadata(metadata) {
    if (!metadata)
        return undefined;
    return Object.fromEntries(Object.entries(metadata).filter(([key]) => !RESERVED.has(key)));
}
/** The Upload-Concat value the upload was created with ("partial" or "final;<urls>"), if any. */
export function concatOf(upload) {
    const value = upload.metadata?.[CONCAT_KEY];
    return typeof value === 'string' ? value : undefined;
}
export const isPartial = (upload) => concatOf(upload) === 'partial';
export const isFinal = (upload) => concatOf(upload)?.startsWith('final;') === true;
//# sourceMappingURL=upload-record.js.map