import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Config } from '../config/schema.js'
import { ERR } from '../errors.js'
import type { IetfProtocol } from '../ietf/dispatch.js'
import type { Logger } from '../log.js'
import type { UploadCore } from '../upload/core.js'
import type { RequestInfo } from '../upload/types.js'
import { requestInfo, type TusContext, type TusHandler } from './context.js'
import { tusExtensions } from './extensions.js'
import { handleDelete } from './handlers/delete.js'
import { handleGet } from './handlers/get.js'
import { handleHead } from './handlers/head.js'
import { handleOptions } from './handlers/options.js'
import { handlePatch } from './handlers/patch.js'
import { handlePost } from './handlers/post.js'
import { applyMethodOverride, checkTusRequest } from './request-checks.js'
import { sendError } from './respond.js'
import { resolveTarget } from './routing.js'

export interface TusProtocol {
  /** Handles one request under the base path, writing the whole response. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
}

/**
 * The dispatch table: one handler per method, and where it applies — the upload collection (the
 * base path), one upload's URL, or either. GET is a download, not a tus request, so it skips the tus
 * header checks.
 */
const ROUTES: Record<string, { handler: TusHandler; on: 'collection' | 'upload' | 'any'; tus: boolean }> = {
  OPTIONS: { handler: handleOptions, on: 'any', tus: true },
  POST: { handler: handlePost, on: 'collection', tus: true },
  HEAD: { handler: handleHead, on: 'upload', tus: true },
  PATCH: { handler: handlePatch, on: 'upload', tus: true },
  DELETE: { handler: handleDelete, on: 'upload', tus: true },
  GET: { handler: handleGet, on: 'upload', tus: false },
}

/** tus v1 over the upload core: checks a request, routes it to its method's handler, answers errors. */
export function createTusProtocol(deps: {
  core: UploadCore
  config: Pick<Config, 'basePath' | 'trustProxy' | 'maxSize'>
  logger: Logger
  /** Runs before each request is handled (rate limits); throws a TuskError to refuse it. */
  gate?: ((request: RequestInfo) => Promise<void>) | undefined
  /** The resumable-upload draft, answered instead of tus for requests that name its interop version. */
  ietf?: IetfProtocol | undefined
}): TusProtocol {
  const { config, logger, gate } = deps
  const tus: TusContext = {
    core: deps.core,
    config,
    logger,
    extensions: tusExtensions(deps.core.capabilities),
  }
  return {
    async handle(req, res) {
      try {
        if (gate) await gate(requestInfo(req))
        const draft = deps.ietf?.versionOf(req)
        if (draft && deps.ietf) return await deps.ietf.handle(req, res, draft)
        applyMethodOverride(req)
        const method = req.method ?? 'GET'
        const target = resolveTarget((req.url ?? '/').split('?', 1)[0] ?? '/', config.basePath)
        if (target.kind === 'none') throw ERR.NOT_FOUND()
        const route = ROUTES[method]
        // Tus-Resumable is checked first for anything but a download (412 before 405).
        if (route?.tus ?? true) checkTusRequest(req, config)
        if (!route) throw ERR.METHOD_NOT_ALLOWED(`${method} is not a tus method`)
        if (route.on === 'upload' && target.kind !== 'upload') {
          throw ERR.METHOD_NOT_ALLOWED(`${method} needs an upload URL`)
        }
        if (route.on === 'collection' && target.kind !== 'collection') {
          throw ERR.METHOD_NOT_ALLOWED(`${method} goes to the base path`)
        }
        await route.handler(tus, { req, res, target })
      } catch (error) {
        sendError(req, res, error, logger)
      }
    },
  }
}
