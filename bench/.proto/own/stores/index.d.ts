import type { Config } from '../config/schema.js';
import type { TuskStore } from './types.js';
export type { StoredObject, TuskStore } from './types.js';
export declare function createStore(config: Config): TuskStore;
//# sourceMappingURL=index.d.ts.map