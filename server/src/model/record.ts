import type { Upload } from '@tus/utils'

// What Tusk remembers about an upload beyond @tus's Upload model — the metadata exactly as the
// client sent it, how the upload takes part in a concatenation, and (once authentication exists)
// its owner — is kept inside the upload's metadata record, under keys that a client can never send:
// metadata keys cannot contain a space. Every @tus DataStore persists the metadata record as it is,
// so this works on any store without store code, and the stores and the upload core read it here.
const RAW_METADATA_KEY = ' tusk.upload-metadata'
const CONCAT_KEY = ' tusk.upload-concat'
const OWNER_KEY = ' tusk.owner'
const MAX_SIZE_KEY = ' tusk.max-size'
const PROTOCOL_KEY = ' tusk.protocol'
const REPR_DIGEST_KEY = ' tusk.repr-digest'
const PARTIALS_KEY = ' tusk.partials'
const RESERVED = new Set([
  RAW_METADATA_KEY,
  CONCAT_KEY,
  OWNER_KEY,
  MAX_SIZE_KEY,
  PROTOCOL_KEY,
  REPR_DIGEST_KEY,
  PARTIALS_KEY,
])

export type MetadataRecord = Record<string, string | null>

/** Client metadata: decoded pairs, and the wire form exactly as received (values are bytes). */
export interface ClientMetadata {
  /** Each value decoded as text (null when empty), so stores and downloads can read names and types. */
  readonly values: Readonly<Record<string, string | null>>
  /** The metadata as the client sent it, answered back unchanged. */
  readonly raw: string
}

/**
 * The metadata record of a new upload. `concat` is "partial" or "final;<references>"; `owner` is who
 * created it, as the authorizer established it (never taken from client metadata); `maxSize` a limit
 * lower than the server's that the upload was created under (it holds for a length declared later).
 */
export function newMetadataRecord(
  metadata?: ClientMetadata,
  concat?: string,
  granted: {
    owner?: string
    maxSize?: number
    protocol?: string
    reprDigest?: string
    /** A final upload's partial upload ids, in order (it may be assembled after its creation). */
    partials?: readonly string[]
  } = {},
): MetadataRecord | undefined {
  const record: MetadataRecord = {}
  if (metadata) {
    Object.assign(record, metadata.values)
    record[RAW_METADATA_KEY] = metadata.raw
  }
  if (concat !== undefined) record[CONCAT_KEY] = concat
  if (granted.owner !== undefined) record[OWNER_KEY] = granted.owner
  if (granted.maxSize !== undefined) record[MAX_SIZE_KEY] = String(granted.maxSize)
  // tus v1 is the default and is not recorded, so uploads made before the draft protocol are tus.
  if (granted.protocol !== undefined && granted.protocol !== DEFAULT_PROTOCOL)
    record[PROTOCOL_KEY] = granted.protocol
  if (granted.reprDigest !== undefined) record[REPR_DIGEST_KEY] = granted.reprDigest
  if (granted.partials !== undefined) record[PARTIALS_KEY] = granted.partials.join(' ')
  return Object.keys(record).length > 0 ? record : undefined
}

/** The size limit the upload was created under, when lower than the server's. */
export function grantedMaxSize(upload: Pick<Upload, 'metadata'>): number | undefined {
  const value = upload.metadata?.[MAX_SIZE_KEY]
  return typeof value === 'string' ? Number(value) : undefined
}

export const DEFAULT_PROTOCOL = 'tus'

/** The upload protocol an upload was created with (tus v1 unless recorded otherwise). */
export function protocolOf(upload: Pick<Upload, 'metadata'>): string {
  const value = upload.metadata?.[PROTOCOL_KEY]
  return typeof value === 'string' ? value : DEFAULT_PROTOCOL
}

/** The digests of the whole upload to check at completion, as upload/representation-digest.ts wrote them. */
export function reprDigestOf(upload: Pick<Upload, 'metadata'>): string | undefined {
  const value = upload.metadata?.[REPR_DIGEST_KEY]
  return typeof value === 'string' ? value : undefined
}

/** The ids of a final upload's partial uploads, in order (recorded by Tusk since concatenation-unfinished). */
export function partialIdsOf(upload: Pick<Upload, 'metadata'>): string[] | undefined {
  const value = upload.metadata?.[PARTIALS_KEY]
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : undefined
}

/** Who created the upload, when it was created by an identified requester. */
export function ownerOf(upload: Pick<Upload, 'metadata'>): string | undefined {
  const owner = upload.metadata?.[OWNER_KEY]
  return typeof owner === 'string' ? owner : undefined
}

/** The metadata as the client sent it, if it was kept (uploads made by Tusk). */
export function rawMetadata(upload: Pick<Upload, 'metadata'>): string | undefined {
  const raw = upload.metadata?.[RAW_METADATA_KEY]
  return typeof raw === 'string' ? raw : undefined
}

/** The metadata a client sent, decoded, without Tusk's own bookkeeping keys. */
export function publicMetadata(metadata: MetadataRecord | undefined): MetadataRecord | undefined {
  if (!metadata) return undefined
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !RESERVED.has(key)))
}

/** A metadata value as text, or undefined when absent or not valid UTF-8. */
export function metadataText(
  pairs: Record<string, string | null> | undefined,
  ...keys: string[]
): string | undefined {
  if (!pairs) return undefined
  for (const key of keys) {
    const value = pairs[key]
    if (typeof value === 'string' && value.length > 0 && !value.includes('\uFFFD')) return value
  }
  return undefined
}

/** The concatenation value the upload was created with ("partial" or "final;<urls>"), if any. */
export function concatOf(upload: Pick<Upload, 'metadata'>): string | undefined {
  const value = upload.metadata?.[CONCAT_KEY]
  return typeof value === 'string' ? value : undefined
}

export const isPartial = (upload: Pick<Upload, 'metadata'>) => concatOf(upload) === 'partial'
export const isFinal = (upload: Pick<Upload, 'metadata'>) => concatOf(upload)?.startsWith('final;') === true
export const isComplete = (upload: Pick<Upload, 'size' | 'offset'>) =>
  upload.size !== undefined && upload.offset === upload.size
