import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config/schema.js';
type S3Settings = Pick<Config, 's3Endpoint' | 's3Region' | 's3AccessKeyId' | 's3SecretAccessKey' | 's3SessionToken' | 's3ForcePathStyle' | 's3ChecksumMode' | 's3PartConcurrency'>;
/** The @aws-sdk/client-s3 settings for Tusk's S3 options; unset credentials and region use the AWS chain. */
export declare function s3ClientConfig(config: S3Settings): S3ClientConfig;
export {};
//# sourceMappingURL=s3-client-config.d.ts.map