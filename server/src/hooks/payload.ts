import path from 'node:path'
import type { Upload } from '@tus/utils'
import type { Config } from '../config/schema.js'
import { concatOf, isFinal, isPartial, ownerOf, publicMetadata } from '../model/record.js'
import type { RequestInfo } from '../upload/types.js'
import type { HookRequest, HookStorage, HookUpload } from './types.js'

/** Credentials are not sent to hooks unless an operator names them in hooksKeepHeaders. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization'])

export type StorageOf = (id: string) => HookStorage

export function storageLocator(
  config: Pick<Config, 'store' | 'dataDir' | 's3Bucket' | 'azureContainer'>,
): StorageOf {
  if (config.store === 's3') {
    const bucket = config.s3Bucket ?? ''
    return (id) => ({ type: 's3store', bucket, key: id })
  }
  if (config.store === 'azure') {
    const container = config.azureContainer ?? ''
    return (id) => ({ type: 'azurestore', container, key: id })
  }
  const directory = path.resolve(config.dataDir)
  return (id) => ({ type: 'filestore', path: id ? path.join(directory, id) : '' })
}

export function describeUpload(upload: Upload, storageOf: StorageOf): HookUpload {
  const concat = concatOf(upload)
  const final = isFinal(upload)
  return {
    id: upload.id,
    size: upload.size,
    sizeIsDeferred: upload.size === undefined,
    offset: upload.offset,
    metadata: publicMetadata(upload.metadata) ?? {},
    owner: ownerOf(upload),
    isPartial: isPartial(upload),
    isFinal: final,
    partialUploads: final && concat ? partialIdsOf(concat) : [],
    storage: storageOf(upload.id),
  }
}

/** "final;/files/a /files/b" → ["a", "b"] (the last path segment of each URL). */
function partialIdsOf(concat: string): string[] {
  return concat
    .slice('final;'.length)
    .split(' ')
    .filter(Boolean)
    .map((url) => url.split('?', 1)[0]?.replace(/\/+$/, '').split('/').pop() ?? '')
}

export function describeRequest(request: RequestInfo, keepHeaders: ReadonlySet<string>): HookRequest {
  const header: Record<string, string[]> = {}
  const headers = request.headers
  // for-in over node's headers object (own, plain properties): no entries array per event.
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    if (CREDENTIAL_HEADERS.has(name) && !keepHeaders.has(name)) continue
    header[name] = typeof value === 'string' ? [value] : value
  }
  return {
    method: request.method,
    uri: request.url,
    remoteAddr: request.remoteAddress ?? '',
    header,
  }
}
