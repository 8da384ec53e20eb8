import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Locker } from '@tus/utils'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import type { ProtocolContext } from './context.js'
import { sendDownload } from './download.js'
import { supportedExtensions } from './extensions.js'
import { createFinalUpload } from './handlers/concat-final.js'
import { createUpload } from './handlers/create.js'
import { sendHead } from './handlers/head.js'
import { sendOptions } from './handlers/options.js'
import { patchUpload } from './handlers/patch.js'
import { applyMethodOverride, checkTusRequest, headerText } from './request-checks.js'
import { sendError } from './respond.js'
import { resolveTarget } from './upload-id.js'
import { createUpstream, forwardToUpstream } from './upstream.js'

export interface TusProtocol {
  /** Handles one request under the base path, writing the whole response. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
}

/** Tusk's protocol layer: its own checks and handlers in front of @tus/server. */
export function createTusProtocol(deps: {
  config: Config
  store: TuskStore
  locker: Locker
  logger: Logger
}): TusProtocol {
  const { config, store, logger } = deps
  const upstream = createUpstream(config, store, deps.locker, logger)
  const ctx: ProtocolContext = { ...deps, extensions: supportedExtensions(store) }

  return {
    async handle(req, res) {
      try {
        applyMethodOverride(req)
        const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/'
        const target = resolveTarget(pathname, config.basePath)
        const method = req.method ?? 'GET'
        if (target.kind === 'none') throw ERR.NOT_FOUND()
        if (method === 'GET') {
          if (target.kind !== 'upload') throw ERR.METHOD_NOT_ALLOWED('GET needs an upload URL')
          await sendDownload(req, res, store, store.datastore, target.id)
          return
        }
        checkTusRequest(req, config)
        if (method === 'OPTIONS') return sendOptions(ctx, res)
        if (target.kind === 'collection') {
          if (method !== 'POST') throw ERR.METHOD_NOT_ALLOWED(`${method} needs an upload URL`)
          const concat = headerText(req, 'upload-concat')
          if (concat !== undefined) {
            if (!ctx.extensions.includes('concatenation')) throw ERR.CONCAT_UNSUPPORTED()
            if (concat === 'partial') return await createUpload(ctx, req, res, { concat: 'partial' })
            if (concat.startsWith('final;')) return await createFinalUpload(ctx, req, res, concat)
            throw ERR.INVALID_CONCAT('expected "partial" or "final;<url> <url> ..."')
          }
          return await createUpload(ctx, req, res, {})
        }
        const id = target.id
        switch (method) {
          case 'POST':
            throw ERR.METHOD_NOT_ALLOWED('POST goes to the base path')
          case 'HEAD':
            return await sendHead(ctx, req, res, id)
          case 'PATCH':
            return await patchUpload(ctx, req, res, id)
          case 'DELETE':
            return await forwardToUpstream(upstream, req, res)
          default:
            throw ERR.METHOD_NOT_ALLOWED(`${method} is not a tus method`)
        }
      } catch (error) {
        sendError(req, res, error, logger)
      }
    },
  }
}
