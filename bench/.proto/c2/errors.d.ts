export declare class TuskError extends Error {
    readonly code: string;
    readonly status: number;
    name: string;
    constructor(code: string, status: number, message: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    });
    readonly headers: Record<string, string>;
}
export declare const ERR: {
    readonly VERSION_UNSUPPORTED: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_HEADER: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_METADATA: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_ID: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_METHOD_OVERRIDE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly UNSUPPORTED_MEDIA_TYPE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly TOO_LARGE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly NOT_FOUND: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly NOT_FINISHED: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly METHOD_NOT_ALLOWED: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly RANGE_NOT_SATISFIABLE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly UNAVAILABLE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_CHECKSUM: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly CHECKSUM_ALGORITHM: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly CHECKSUM_MISMATCH: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly OFFSET_CONFLICT: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly GONE: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_LENGTH: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly FINAL_UPLOAD: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly INVALID_CONCAT: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly CONCAT_UNSUPPORTED: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
    readonly ABORTED: (detail?: string, options?: {
        cause?: unknown;
        headers?: Record<string, string>;
    }) => TuskError;
};
//# sourceMappingURL=errors.d.ts.map