import type { IncomingMessage, ServerResponse } from 'node:http'
import { ERR } from '../errors.js'
import { resolveTarget } from '../tus/routing.js'
import { type IetfContext, type IetfHandler, uploadLimit } from './context.js'
import { integerField } from './fields.js'
import { handleAppend } from './handlers/append.js'
import { handleCancel } from './handlers/cancel.js'
import { handleCreate } from './handlers/create.js'
import { handleOffset } from './handlers/offset.js'
import { handleOptions } from './handlers/options.js'
import { sendProblem } from './respond.js'
import { INTEROP_VERSIONS, type InteropVersion } from './versions.js'

export interface IetfProtocol {
  /** The interop version a request speaks, when it is one Tusk speaks (else it is not a draft request). */
  versionOf(req: IncomingMessage): InteropVersion | undefined
  handle(req: IncomingMessage, res: ServerResponse, version: InteropVersion): Promise<void>
}

const ROUTES: Record<string, { handler: IetfHandler; on: 'collection' | 'upload' | 'any' }> = {
  OPTIONS: { handler: handleOptions, on: 'any' },
  POST: { handler: handleCreate, on: 'collection' },
  HEAD: { handler: handleOffset, on: 'upload' },
  PATCH: { handler: handleAppend, on: 'upload' },
  DELETE: { handler: handleCancel, on: 'upload' },
}

/** "Resumable Uploads for HTTP" (interop 9, 8, 6) over the same upload core as tus v1. */
export function createIetfProtocol(deps: IetfContext): IetfProtocol {
  return {
    versionOf(req) {
      if (req.headers['upload-draft-interop-version'] === undefined) return undefined
      const version = integerField(req, 'upload-draft-interop-version')
      return version === undefined ? undefined : INTEROP_VERSIONS.get(version)
    },
    async handle(req, res, version) {
      try {
        const target = resolveTarget((req.url ?? '/').split('?', 1)[0] ?? '/', deps.config.basePath)
        if (target.kind === 'none') throw ERR.NOT_FOUND()
        const method = req.method === 'GET' && version.offsetOnGet ? 'HEAD' : (req.method ?? 'GET')
        const route = ROUTES[method]
        if (!route) throw ERR.METHOD_NOT_ALLOWED(`${method} is not a method of this protocol`)
        if (route.on === 'upload' && target.kind !== 'upload')
          throw ERR.METHOD_NOT_ALLOWED(`${method} needs an upload URL`)
        if (route.on === 'collection' && target.kind !== 'collection') {
          throw ERR.METHOD_NOT_ALLOWED(`${method} goes to the base path`)
        }
        await route.handler(deps, { req, res, target, version })
      } catch (error) {
        sendProblem(req, res, error, deps.logger, () => uploadLimit(deps, version))
      }
    },
  }
}
