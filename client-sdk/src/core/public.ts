// Everything both entry points export unchanged.
export { ASSUMED_CAPABILITIES, parseCapabilities } from './discovery.js'
export {
  codeForStatus,
  parseRetryAfter,
  TuskUploadError,
  type TuskUploadErrorInit,
  type UploadErrorCode,
} from './errors.js'
export { DEFAULT_RETRY_POLICY, isRetryable, type RetryPolicy, retryDelay } from './retry.js'
export type {
  ChecksumAlgorithm,
  Metadata,
  RetryEvent,
  ServerCapabilities,
  TokenProvider,
  TransferPlan,
  UploadEvents,
  UploadFailure,
  UploadHandle,
  UploadOptions,
  UploadProgress,
  UploadResult,
  UploadState,
  UploadSuccess,
} from './types.js'
export { MemoryUrlStorage, type StoredUpload, type UrlStorage } from './url-storage.js'
