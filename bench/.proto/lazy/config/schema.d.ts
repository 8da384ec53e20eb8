import { z } from 'zod';
export declare const configSchema: z.ZodObject<{
    host: z.ZodDefault<z.ZodString>;
    port: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    basePath: z.ZodDefault<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>>;
    store: z.ZodDefault<z.ZodEnum<{
        file: "file";
        s3: "s3";
    }>>;
    s3Bucket: z.ZodOptional<z.ZodString>;
    s3Endpoint: z.ZodOptional<z.ZodString>;
    s3Region: z.ZodOptional<z.ZodString>;
    s3AccessKeyId: z.ZodOptional<z.ZodString>;
    s3SecretAccessKey: z.ZodOptional<z.ZodString>;
    s3SessionToken: z.ZodOptional<z.ZodString>;
    s3ForcePathStyle: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodBoolean, z.ZodEnum<{
        0: "0";
        1: "1";
        true: "true";
        false: "false";
    }>]>, z.ZodTransform<boolean, boolean | "0" | "1" | "true" | "false">>>;
    s3PartSize: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    s3PartConcurrency: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    s3ChecksumMode: z.ZodDefault<z.ZodEnum<{
        when_required: "when_required";
        when_supported: "when_supported";
    }>>;
    dataDir: z.ZodDefault<z.ZodString>;
    maxSize: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    uploadExpiry: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    cleanupInterval: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    corsOrigins: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodString>]>, z.ZodTransform<string[], string | string[]>>>;
    corsCredentials: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodBoolean, z.ZodEnum<{
        0: "0";
        1: "1";
        true: "true";
        false: "false";
    }>]>, z.ZodTransform<boolean, boolean | "0" | "1" | "true" | "false">>>;
    corsAllowedHeaders: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodString>]>, z.ZodTransform<string[], string | string[]>>>;
    corsExposedHeaders: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodString>]>, z.ZodTransform<string[], string | string[]>>>;
    trustProxy: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodBoolean, z.ZodEnum<{
        0: "0";
        1: "1";
        true: "true";
        false: "false";
    }>]>, z.ZodTransform<boolean, boolean | "0" | "1" | "true" | "false">>>;
    headersTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    idleTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    requestTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    keepAliveTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    shutdownTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    redisUrl: z.ZodOptional<z.ZodString>;
    workers: z.ZodDefault<z.ZodUnion<readonly [z.ZodLiteral<"auto">, z.ZodCoercedNumber<unknown>]>>;
    lockTimeout: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    lockTtl: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<number, string | number>>>;
    logLevel: z.ZodDefault<z.ZodEnum<{
        error: "error";
        fatal: "fatal";
        warn: "warn";
        info: "info";
        debug: "debug";
        trace: "trace";
        silent: "silent";
    }>>;
}, z.core.$strict>;
export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
export declare const configKeys: (keyof Config)[];
//# sourceMappingURL=schema.d.ts.map