import type { MetadataValue } from '@tus/s3-store';
import type { KvStore } from '@tus/utils';
/**
 * The S3 store's upload-info cache in Redis, shared by every Tusk instance, so a PATCH or HEAD does not
 * have to GET `<id>.info` from S3 each time. Unlike @tus/utils' IoRedisKvStore, entries expire (an
 * upload abandoned without cleanup does not stay in Redis forever), and Redis trouble is a cache miss,
 * never a failed request: S3 stays the source of truth.
 */
export declare class RedisInfoCache implements KvStore<MetadataValue> {
    #private;
    constructor(options: {
        url: string;
        prefix: string;
        ttlMs: number;
    });
    get(id: string): Promise<MetadataValue | undefined>;
    set(id: string, value: MetadataValue): Promise<void>;
    delete(id: string): Promise<void>;
    close(): Promise<void>;
}
//# sourceMappingURL=s3-info-cache.d.ts.map