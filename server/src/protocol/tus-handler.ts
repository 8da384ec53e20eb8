import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Locker } from '@tus/utils'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import type { Logger } from '../log.js'
import type { TuskStore } from '../stores/types.js'
import { sendDownload } from './download.js'
import { applyMethodOverride, checkTusRequest } from './request-checks.js'
import { sendError } from './respond.js'
import { resolveTarget } from './upload-id.js'
import { createUpstream } from './upstream.js'

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
        if (target.kind === 'collection' && method !== 'POST' && method !== 'OPTIONS') {
          throw ERR.METHOD_NOT_ALLOWED(`${method} needs an upload URL`)
        }
        if (target.kind === 'upload' && method === 'POST') throw ERR.METHOD_NOT_ALLOWED('POST goes to the base path')
        await upstream.handle(req, res)
      } catch (error) {
        sendError(req, res, error, logger)
      }
    },
  }
}
