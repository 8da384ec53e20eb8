import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Upload } from '@tus/utils'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log.js'
import { expiresAt } from '../model/expiry.js'
import { isComplete } from '../model/record.js'
import type { Target } from '../tus/routing.js'
import type { UploadCore } from '../upload/core.js'
import { serializeBoolean, serializeInteger, serializeLimits } from './fields.js'
import type { InteropVersion } from './versions.js'

export interface IetfContext {
  readonly core: UploadCore
  readonly config: Pick<Config, 'basePath' | 'trustProxy' | 'maxSize'>
  readonly logger: Logger
}

/** One request of the draft protocol, in the interop version it names. */
export interface IetfExchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly target: Target
  readonly version: InteropVersion
}

export type IetfHandler = (ietf: IetfContext, exchange: IetfExchange) => Promise<void>

/** Upload-Limit: the maximum size, and how long the upload (or, without one, any upload) has left. */
export function uploadLimit(ietf: IetfContext, version: InteropVersion, upload?: Upload): string {
  const period = ietf.core.expiryPeriod
  let lifetime: number | undefined
  if (upload) {
    const at = expiresAt(upload, period)
    lifetime = at ? Math.max(0, Math.floor((at.getTime() - Date.now()) / 1_000)) : undefined
  } else if (period > 0) {
    lifetime = Math.floor(period / 1_000)
  }
  return serializeLimits({
    'max-size': ietf.config.maxSize > 0 ? ietf.config.maxSize : undefined,
    'min-size': 0,
    [version.lifetime]: lifetime,
  })
}

/** The fields that say where an upload stands: offset, completeness, length and limits. */
export function stateFields(
  ietf: IetfContext,
  version: InteropVersion,
  upload: Upload,
): Record<string, string | undefined> {
  return {
    'Upload-Offset': serializeInteger(upload.offset),
    'Upload-Complete': serializeBoolean(isComplete(upload)),
    'Upload-Length': upload.size === undefined ? undefined : serializeInteger(upload.size),
    'Upload-Limit': uploadLimit(ietf, version, upload),
  }
}
