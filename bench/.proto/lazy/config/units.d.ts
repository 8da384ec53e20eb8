/** Bytes from "8MiB", "1GB", "1024" or a number. NaN when it is not a size. */
export declare function parseSize(input: string | number): number;
/** Milliseconds from "30s", "24h", "500ms", "1000" (ms) or a number. NaN when it is not a duration. */
export declare function parseDuration(input: string | number): number;
export declare function formatSize(bytes: number): string;
//# sourceMappingURL=units.d.ts.map