import type { Config } from '../config/schema.js';
import type { TuskStore } from './types.js';
export type S3StoreConfig = Pick<Config, 's3Bucket' | 's3Endpoint' | 's3Region' | 's3AccessKeyId' | 's3SecretAccessKey' | 's3SessionToken' | 's3ForcePathStyle' | 's3PartSize' | 's3PartConcurrency' | 's3ChecksumMode' | 'uploadExpiry' | 'maxSize' | 'redisUrl'>;
export declare function createS3Store(config: S3StoreConfig): TuskStore;
//# sourceMappingURL=s3-store.d.ts.map