export type Target = {
    kind: 'collection';
} | {
    kind: 'upload';
    id: string;
} | {
    kind: 'none';
};
/** Where a request path points under the base path: the upload collection, one upload, or nowhere. */
export declare function resolveTarget(pathname: string, basePath: string): Target;
//# sourceMappingURL=upload-id.d.ts.map