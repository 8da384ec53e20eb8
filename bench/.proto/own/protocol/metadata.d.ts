export interface MetadataPair {
    key: string;
    /** The value exactly as sent, still base64: decoding is the reader's choice (values are bytes). */
    base64: string;
}
/** Parses the header; returns the pairs, or a short reason when it breaks a rule above. */
export declare function parseMetadata(header: string): MetadataPair[] | {
    error: string;
};
/** A metadata value as text, or undefined when absent or not valid UTF-8. */
export declare function metadataText(pairs: Record<string, string | null> | undefined, ...keys: string[]): string | undefined;
//# sourceMappingURL=metadata.d.ts.map