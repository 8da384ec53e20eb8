// Everything both entry points export unchanged.
export { CHECKSUM_ALGORITHMS, isChecksumAlgorithm } from './checksum-algorithms.js'
export { ASSUMED_CAPABILITIES, parseCapabilities } from './discovery.js'
export {
  codeForStatus,
  parseRetryAfter,
  TuskUploadError,
  type TuskUploadErrorInit,
  type UploadErrorCode,
} from './errors.js'
export type { NetworkFailureKind } from './network-failure.js'
export {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  type RetryContext,
  type RetryPolicy,
  retryDelay,
} from './retry.js'
export { parseSize, SIZE_SYNTAX, SIZE_UNITS } from './size.js'
export type { TerminationOutcome } from './termination.js'
export { DEFAULT_BOUNDED_CHUNK } from './transfer-plan.js'
export type {
  ChecksumAlgorithm,
  Metadata,
  RetryEvent,
  ServerCapabilities,
  TokenProvider,
  TokenRequest,
  TransferPlan,
  UploadEvents,
  UploadFailure,
  UploadHandle,
  UploadOptions,
  UploadProgress,
  UploadProtocol,
  UploadResult,
  UploadState,
  UploadSuccess,
} from './types.js'
export { UPLOAD_PROTOCOLS } from './types.js'
export { MemoryUrlStorage, type StoredUpload, type UrlStorage } from './url-storage.js'
