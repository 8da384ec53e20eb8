import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type ConfigInput, startServer } from '@tusk/server'

/** The store configurations Tusk supports; CI runs the suite against each (tusk.test.ts). */
export const TUSK_CONFIGURATIONS = ['file', 'file+redis', 's3', 's3+redis'] as const
export type TuskConfiguration = (typeof TUSK_CONFIGURATIONS)[number]

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(
      `${name} is not set: the conformance run against Tusk on S3/Redis needs the real services. ` +
        'Start them with scripts/s3-start.sh and scripts/redis-start.sh and source their env files (CI does).',
    )
  }
  return value
}

function settingsFor(configuration: TuskConfiguration): ConfigInput {
  const settings: ConfigInput = {}
  if (configuration.startsWith('s3')) {
    Object.assign(settings, {
      store: 's3',
      s3Endpoint: required('S3_ENDPOINT'),
      s3Bucket: required('S3_BUCKET'),
      s3Region: process.env.S3_REGION || 'us-east-1',
      s3AccessKeyId: required('S3_ACCESS_KEY'),
      s3SecretAccessKey: required('S3_SECRET_KEY'),
      s3ForcePathStyle: true,
    })
  }
  if (configuration.endsWith('+redis')) settings.redisUrl = required('REDIS_URL')
  return settings
}

/** A real Tusk server on port 0 with a temporary data directory, in the given configuration. */
export async function startTusk(
  configuration: TuskConfiguration = 'file',
): Promise<{ url: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-conformance-'))
  const server = await startServer({ port: 0, dataDir, logLevel: 'silent', ...settingsFor(configuration) })
  return {
    url: server.url,
    async close() {
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
