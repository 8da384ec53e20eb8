import { randomBytes } from 'node:crypto'
import type { ConfigInput } from '@tusk/server'
import { azureSettings, redisUrl, s3Bucket, s3OwnBucket, s3Settings } from '../../../test-support/services.js'
import { type TestTusk, useTusk as useTestTusk } from '../../../test-support/tusk.js'

/** The store configurations Tusk supports; CI runs the suite against each (tusk.test.ts). */
export const TUSK_CONFIGURATIONS = ['file', 'file+redis', 's3', 's3+redis', 'azure'] as const
export type TuskConfiguration = (typeof TUSK_CONFIGURATIONS)[number]

async function settingsFor(configuration: TuskConfiguration): Promise<ConfigInput> {
  const settings: ConfigInput = {}
  if (configuration.startsWith('s3')) {
    // Without Redis the server's locks are its own: it gets a bucket of its own, as a lone instance
    // has. On the shared bucket, another test's server starting up tended (assembled) this one's
    // pending concatenation while this one's PATCH assembled it too: a 500 seen with two test files
    // at a time. With Redis, locks are shared with every other server on the shared bucket.
    const bucket = configuration === 's3' ? await s3OwnBucket('conformance') : s3Bucket()
    Object.assign(settings, { store: 's3', s3Bucket: bucket, ...s3Settings() })
  }
  if (configuration === 'azure') {
    // A container of its own, which Tusk creates (Azurite, test-support/services.ts).
    const azureContainer = `tusk-conformance-${randomBytes(4).toString('hex')}`
    Object.assign(settings, { store: 'azure', azureContainer, ...azureSettings() })
  }
  if (configuration.endsWith('+redis')) settings.redisUrl = redisUrl()
  return settings
}

/**
 * A real Tusk server on port 0 (the test kit's) in the given configuration for a describe block:
 * started in its beforeAll, closed after it. Safe in a describe.concurrent block, where the test
 * kit's startTusk is not: called in a hook, it ties the close to whichever test is current, which
 * under concurrency can be another block's, so the server closed under this block's test.
 */
export function useTusk(configuration: TuskConfiguration = 'file'): { readonly server: TestTusk } {
  return useTestTusk(() => settingsFor(configuration))
}
