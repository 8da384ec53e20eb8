import type { TuskStore } from '../stores/types.js';
/** Where chunks wait for their checksum: the store's choice, else a directory in the OS temp dir. */
export declare function stagingDirectory(store: TuskStore): string;
//# sourceMappingURL=staging.d.ts.map