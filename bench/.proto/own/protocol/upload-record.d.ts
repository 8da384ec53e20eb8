import type { Upload } from '@tus/utils';
export type MetadataRecord = Record<string, string | null>;
/**
 * The metadata record of a new upload: each value decoded to text the way @tus does (so filenames
 * and content types are readable by stores and downloads), plus the header exactly as received,
 * because values are arbitrary bytes that text cannot carry; and the Upload-Concat value, if any.
 * The header has passed request-checks.ts, so it parses.
 */
export declare function newMetadataRecord(header: string | undefined, concat?: string): MetadataRecord | undefined;
/** The Upload-Metadata header to answer on HEAD: as received, or (uploads without it) re-encoded. */
export declare function metadataHeader(upload: Pick<Upload, 'metadata'>): string | undefined;
/** The metadata a client sent, decoded, without Tusk's own bookkeeping keys. */
export declare function publicMetadata(metadata: MetadataRecord | undefined): MetadataRecord | undefined;
/** The Upload-Concat value the upload was created with ("partial" or "final;<urls>"), if any. */
export declare function concatOf(upload: Pick<Upload, 'metadata'>): string | undefined;
export declare const isPartial: (upload: Pick<Upload, "metadata">) => boolean;
export declare const isFinal: (upload: Pick<Upload, "metadata">) => boolean;
//# sourceMappingURL=upload-record.d.ts.map