import type { TuskStore } from '../stores/types.js';
/**
 * Tus-Extension, composed by capability: what the store's @tus DataStore implements (creation,
 * creation-with-upload, creation-defer-length, termination, expiration, as it declares them), plus
 * what Tusk's own handlers add: checksum and checksum-trailer on any store (a chunk is staged,
 * verified, then written with DataStore.write), concatenation only when the store can assemble.
 */
export declare function supportedExtensions(store: TuskStore): string[];
//# sourceMappingURL=extensions.d.ts.map