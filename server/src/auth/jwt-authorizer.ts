import { ERR } from '../errors.js'
import { ownerOf } from '../model/record.js'
import type { Authorizer, RequestInfo } from '../upload/types.js'
import { presentedToken } from './bearer-token.js'
import { createTokenVerifier, type Identity, unauthorized } from './identity.js'
import type { AuthConfig, VerificationKey } from './keys.js'

/**
 * Authentication and ownership: every request presents a JWT; an upload belongs to the owner of the
 * token that created it, and only that owner (or an admin) may read, resume, download or delete it.
 * Anyone else gets 404, exactly as for an upload that does not exist. Tokens scoped "upload" create
 * and resume (optionally bound to one upload, with a size limit and fixed metadata); tokens scoped
 * "download" only download the one upload they are bound to; neither works for the other.
 */
export function createJwtAuthorizer(
  config: AuthConfig,
  key: VerificationKey,
): Authorizer & {
  identityOf(request: RequestInfo): Identity | undefined
} {
  const verify = createTokenVerifier(config, key)
  const identities = new WeakMap<RequestInfo, Identity>()
  const identityOf = (request: RequestInfo) => identities.get(request)
  return {
    identityOf,
    async authenticate(request) {
      if (identities.has(request)) return
      const presented = presentedToken(request)
      if (!presented) throw unauthorized(undefined)
      const identity = await verify(presented.token)
      // A URL ends up in logs, histories and Referer headers: only a download link's token goes there.
      if (presented.inUrl && identity.scope !== 'download') {
        throw unauthorized('only a download token may be given in the URL')
      }
      identities.set(request, identity)
    },
    authorize(check) {
      const identity = identityOf(check.request)
      if (!identity) throw unauthorized(undefined)
      if (check.intent === 'create' || check.intent === 'concatenate') {
        if (identity.scope === 'download') throw ERR.FORBIDDEN('a download token cannot create uploads')
        if (identity.uploadId !== undefined) throw ERR.FORBIDDEN('this upload token is bound to one upload')
        return { owner: identity.owner, maxSize: identity.maxSize, metadata: identity.metadata }
      }
      if (check.intent === 'download') {
        if (identity.scope === 'upload') throw ERR.FORBIDDEN('an upload token cannot download')
        if (identity.scope === 'download' && identity.uploadId === undefined) {
          throw ERR.FORBIDDEN('a download token must be bound to an upload')
        }
      } else if (identity.scope === 'download') {
        throw ERR.FORBIDDEN('a download token only downloads')
      }
      if (identity.uploadId !== undefined && identity.uploadId !== check.upload.id) {
        throw ERR.FORBIDDEN('this token is bound to another upload')
      }
      if (identity.admin) return undefined
      // No existence oracle: someone else's upload is answered as one that does not exist.
      if (ownerOf(check.upload) !== identity.owner) throw ERR.NOT_FOUND()
      return undefined
    },
  }
}
