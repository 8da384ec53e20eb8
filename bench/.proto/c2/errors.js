// Every error Tusk answers on purpose, in one table: a stable code, an HTTP status and a short,
// client-safe reason. Anything not in this table is unexpected: it is logged with its cause and
// answered with a generic 500 that says nothing about internals (see host/error-response.ts).
export class TuskError extends Error {
    code;
    status;
    name = 'TuskError';
    constructor(code, status, message, options) {
        super(message, options?.cause === undefined ? undefined : { cause: options.cause });
        this.code = code;
        this.status = status;
        this.headers = options?.headers ?? {};
    }
    headers;
}
const e = (code, status, message) => (detail, options) => new TuskError(code, status, detail ? `${message}: ${detail}` : message, options);
export const ERR = {
    VERSION_UNSUPPORTED: e('ERR_TUS_VERSION', 412, 'unsupported Tus-Resumable version (this server speaks 1.0.0)'),
    INVALID_HEADER: e('ERR_INVALID_HEADER', 400, 'invalid header'),
    INVALID_METADATA: e('ERR_INVALID_METADATA', 400, 'invalid Upload-Metadata'),
    INVALID_ID: e('ERR_INVALID_ID', 400, 'invalid upload id'),
    INVALID_METHOD_OVERRIDE: e('ERR_INVALID_METHOD', 400, 'invalid X-HTTP-Method-Override'),
    UNSUPPORTED_MEDIA_TYPE: e('ERR_CONTENT_TYPE', 415, 'PATCH requires Content-Type: application/offset+octet-stream'),
    TOO_LARGE: e('ERR_TOO_LARGE', 413, 'upload exceeds the maximum size'),
    NOT_FOUND: e('ERR_NOT_FOUND', 404, 'upload not found'),
    NOT_FINISHED: e('ERR_NOT_FINISHED', 404, 'upload is not finished'),
    METHOD_NOT_ALLOWED: e('ERR_METHOD', 405, 'method not allowed'),
    RANGE_NOT_SATISFIABLE: e('ERR_RANGE', 416, 'range not satisfiable'),
    UNAVAILABLE: e('ERR_UNAVAILABLE', 503, 'service unavailable'),
    // Protocol extensions (server/src/protocol): checksum, concatenation, core PATCH rules.
    INVALID_CHECKSUM: e('ERR_INVALID_CHECKSUM', 400, 'invalid Upload-Checksum'),
    CHECKSUM_ALGORITHM: e('ERR_CHECKSUM_ALGORITHM', 400, 'unsupported checksum algorithm'),
    CHECKSUM_MISMATCH: e('ERR_CHECKSUM_MISMATCH', 460, 'checksum mismatch: the chunk was discarded'),
    OFFSET_CONFLICT: e('ERR_OFFSET', 409, 'Upload-Offset does not match the upload offset'),
    GONE: e('ERR_GONE', 410, 'upload expired'),
    INVALID_LENGTH: e('ERR_INVALID_LENGTH', 400, 'invalid upload length'),
    FINAL_UPLOAD: e('ERR_FINAL_UPLOAD', 403, 'a final (concatenated) upload cannot be patched'),
    INVALID_CONCAT: e('ERR_INVALID_CONCAT', 400, 'invalid Upload-Concat'),
    CONCAT_UNSUPPORTED: e('ERR_CONCAT_UNSUPPORTED', 501, 'this store does not support concatenation'),
    ABORTED: e('ERR_ABORTED', 400, 'request aborted'),
};
//# sourceMappingURL=errors.js.map