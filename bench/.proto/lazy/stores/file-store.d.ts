import type { TuskStore } from './types.js';
export declare function createFileStore(options: {
    dataDir: string;
    uploadExpiry: number;
}): TuskStore;
//# sourceMappingURL=file-store.d.ts.map