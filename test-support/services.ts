import { randomBytes } from 'node:crypto'
import { S3 } from '@aws-sdk/client-s3'
import type { ConfigInput } from '../server/src/index.js'
import { s3ClientConfig } from '../server/src/stores/s3-client-config.js'

// The real Redis, S3 service and Azurite the tests talk to, as the environment names them: CI and
// scripts/test-services.ts (vitest's global setup) export REDIS_URL, S3_* and AZURE_*. Tests that
// need them fail when they are missing; they never skip.

function required(name: string, service: string, start: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(
      `this test needs ${service}, but ${name} is not set. Run it through vitest (its global setup starts ` +
        `the services), or start ${start} and source its env file (CI does).`,
    )
  }
  return value
}

export function redisUrl(): string {
  return required('REDIS_URL', 'Redis', 'scripts/redis-start.sh')
}

/** Tusk's settings for the S3 service, without a bucket (suites make their own, or use s3Bucket()). */
export function s3Settings() {
  const need = (name: string) => required(name, 'an S3 service', 'scripts/s3-start.sh')
  return {
    s3Endpoint: need('S3_ENDPOINT'),
    s3Region: process.env.S3_REGION || 'us-east-1',
    s3AccessKeyId: need('S3_ACCESS_KEY'),
    s3SecretAccessKey: need('S3_SECRET_KEY'),
    s3ForcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
  } satisfies ConfigInput
}

/**
 * The bucket the environment provides (S3_BUCKET), for tests that share one. Servers on it must
 * share Redis too, as instances sharing storage must: any server's start-up tending assembles every
 * pending concatenation in the bucket, so one with a per-process lock (no Redis) could assemble a
 * final at the same moment as another test's server (see s3OwnBucket).
 */
export function s3Bucket(): string {
  return required('S3_BUCKET', 'an S3 bucket', 'scripts/s3-start.sh')
}

/**
 * A new bucket for one server (or one suite) alone: what a server without Redis needs, its locks
 * being its own process's.
 */
export async function s3OwnBucket(label: string): Promise<string> {
  const client = new S3(
    s3ClientConfig({
      ...s3Settings(),
      s3SessionToken: undefined,
      s3ChecksumMode: 'when_required',
      s3PartConcurrency: 1,
    }),
  )
  const bucket = `tusk-${label}-${randomBytes(4).toString('hex')}`
  try {
    await client.createBucket({ Bucket: bucket })
  } finally {
    client.destroy()
  }
  return bucket
}

/** Tusk's settings for the Azurite blob service (scripts/azurite-start.sh), without a container. */
export function azureSettings() {
  const need = (name: string) => required(name, 'Azurite', 'scripts/azurite-start.sh')
  return {
    azureEndpoint: need('AZURE_BLOB_ENDPOINT'),
    azureAccount: need('AZURE_ACCOUNT_NAME'),
    azureAccountKey: need('AZURE_ACCOUNT_KEY'),
  } satisfies ConfigInput
}
