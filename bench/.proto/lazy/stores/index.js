import { createFileStore } from './file-store.js';
const createS3Store = () => { throw new Error('stub') };
export function createStore(config) {
    switch (config.store) {
        case 'file':
            return createFileStore(config);
        case 's3':
            return createS3Store(config);
    }
}
//# sourceMappingURL=index.js.map