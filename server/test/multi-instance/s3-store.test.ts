import { s3Service } from '../stores/s3-service.js'
import { multiInstanceSuite } from './suite.js'

// The multi-instance scenario (see suite.ts) with the S3 store: three instances sharing one bucket
// on the S3 service from scripts/s3-start.sh (S3_* environment; the suite fails without it).
multiInstanceSuite({
  name: 'S3 store sharing one bucket',
  chunkSize: 256 * 1024,
  async setup(sharedDir) {
    const s3 = s3Service()
    const bucket = await s3.createBucket('multi')
    const { settings } = s3
    return {
      flags: [
        '--store=s3',
        `--data-dir=${sharedDir}`,
        `--s3-bucket=${bucket}`,
        `--s3-endpoint=${settings.s3Endpoint}`,
        `--s3-region=${settings.s3Region}`,
        `--s3-access-key-id=${settings.s3AccessKeyId}`,
        `--s3-secret-access-key=${settings.s3SecretAccessKey}`,
        `--s3-force-path-style=${settings.s3ForcePathStyle}`,
      ],
      async stored(id) {
        const object = await s3.client.getObject({ Bucket: bucket, Key: id })
        return Buffer.from(
          await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        )
      },
      cleanup: () => s3.deleteBucket(bucket),
    }
  },
})
