import type { S3ClientConfig } from '@aws-sdk/client-s3'
import type { Config } from '../config/schema.js'

type S3Settings = Pick<
  Config,
  | 's3Endpoint'
  | 's3Region'
  | 's3AccessKeyId'
  | 's3SecretAccessKey'
  | 's3SessionToken'
  | 's3ForcePathStyle'
  | 's3ChecksumMode'
  | 's3PartConcurrency'
>

/**
 * How long an S3 request's socket may stay silent before the request fails. The SDK tries a timed
 * out request 3 times, so a call to a silent service fails in ~3x this (+ backoff), well inside the
 * server's 60 s idle timeout: the client gets a 503, not a closed connection.
 */
export const S3_SOCKET_IDLE_MS = 10_000

/** The @aws-sdk/client-s3 settings for Tusk's S3 options; unset credentials and region use the AWS chain. */
export function s3ClientConfig(config: S3Settings): S3ClientConfig {
  // Since @aws-sdk/client-s3 3.729 the default (WHEN_SUPPORTED) sends streamed bodies as aws-chunked
  // with a trailing CRC, which services such as Ceph 16's RGW refuse (411 MissingContentLength) - and
  // every tus PATCH streams. WHEN_REQUIRED sends checksums only for operations that demand them.
  const checksums = config.s3ChecksumMode === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED'
  const sockets = Math.max(50, config.s3PartConcurrency + 20)
  return {
    endpoint: config.s3Endpoint,
    // A custom endpoint rarely cares about the region, but the SDK needs one to sign.
    region: config.s3Region ?? (config.s3Endpoint ? 'us-east-1' : undefined),
    forcePathStyle: config.s3ForcePathStyle,
    credentials:
      config.s3AccessKeyId && config.s3SecretAccessKey
        ? {
            accessKeyId: config.s3AccessKeyId,
            secretAccessKey: config.s3SecretAccessKey,
            sessionToken: config.s3SessionToken,
          }
        : undefined,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    requestHandler: {
      // An unreachable S3 must fail requests (and /ready) in seconds, not hang them.
      connectionTimeout: 5_000,
      // A service that accepts connections but never answers (paused, overloaded: the kernel still
      // completes the TCP handshake) must fail too: a socket idle this long ends its request with a
      // TimeoutError (503 + Retry-After). Idle time, not duration: a long part upload that keeps
      // moving bytes is never cut.
      socketTimeout: S3_SOCKET_IDLE_MS,
      httpAgent: { keepAlive: true, maxSockets: sockets },
      httpsAgent: { keepAlive: true, maxSockets: sockets },
    },
  }
}
