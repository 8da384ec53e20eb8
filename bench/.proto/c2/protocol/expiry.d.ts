import type { DataStore, Upload } from '@tus/utils';
/** Whether the upload is subject to expiry at all. */
export declare function canExpire(upload: Upload): boolean;
/** When the upload expires, or undefined if it does not. */
export declare function expiresAt(upload: Upload, datastore: DataStore): Date | undefined;
export declare function isExpired(upload: Upload, datastore: DataStore, now?: number): boolean;
//# sourceMappingURL=expiry.d.ts.map