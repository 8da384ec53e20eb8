import type { AccessCheck, Authorizer, CreationGrant, RequestInfo } from './types.js'

/**
 * Several authorizers as one (e.g. JWT identity, then rate limits, then an external pre-access hook):
 * each authenticates and authorizes in order, the first refusal wins, and their creation grants are
 * merged — the first owner and fixed metadata given, the smallest size limit.
 */
export function composeAuthorizers(authorizers: readonly Authorizer[]): Authorizer {
  if (authorizers.length === 1) return authorizers[0] as Authorizer
  const authenticating = authorizers.filter((a) => a.authenticate)
  return {
    async authenticate(request: RequestInfo) {
      for (const authorizer of authenticating) await authorizer.authenticate?.(request)
    },
    async authorize(check: AccessCheck) {
      let merged: CreationGrant | undefined
      for (const authorizer of authorizers) {
        const grant = await authorizer.authorize(check)
        if (grant) merged = mergeGrants(merged, grant)
      }
      return merged
    },
  }
}

function mergeGrants(a: CreationGrant | undefined, b: CreationGrant): CreationGrant {
  if (!a) return b
  const sizes = [a.maxSize, b.maxSize].filter((n): n is number => n !== undefined)
  return {
    owner: a.owner ?? b.owner,
    metadata: a.metadata ?? b.metadata,
    maxSize: sizes.length > 0 ? Math.min(...sizes) : undefined,
  }
}
