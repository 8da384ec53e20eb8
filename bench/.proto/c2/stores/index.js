import { createFileStore } from './file-store.js';
import { createS3Store } from './s3-store.js';
export function createStore(config) {
    switch (config.store) {
        case 'file':
            return createFileStore(config);
        case 's3':
            return createS3Store(config);
    }
}
//# sourceMappingURL=index.js.map