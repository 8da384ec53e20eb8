import os from 'node:os';
import path from 'node:path';
/** Where chunks wait for their checksum: the store's choice, else a directory in the OS temp dir. */
export function stagingDirectory(store) {
    return store.stagingDirectory ?? path.join(os.tmpdir(), 'tusk-staging');
}
//# sourceMappingURL=staging.js.map