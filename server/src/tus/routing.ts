import { ERR } from '../errors.js'
import { isUploadId } from '../model/upload-id.js'

export type Target = { kind: 'collection' } | { kind: 'upload'; id: string } | { kind: 'none' }

/** Where a request path points under the base path: the upload collection, one upload, or nowhere. */
export function resolveTarget(pathname: string, basePath: string): Target {
  const prefix = basePath === '/' ? '' : basePath
  if (pathname === prefix || pathname === `${prefix}/`) return { kind: 'collection' }
  if (!pathname.startsWith(`${prefix}/`)) return { kind: 'none' }
  const raw = pathname.slice(prefix.length + 1).replace(/\/$/, '')
  let id: string
  try {
    id = decodeURIComponent(raw)
  } catch {
    throw ERR.INVALID_ID('malformed percent-encoding')
  }
  if (!isUploadId(id)) throw ERR.INVALID_ID('only letters, digits, "-" and "_" are allowed')
  return { kind: 'upload', id }
}
