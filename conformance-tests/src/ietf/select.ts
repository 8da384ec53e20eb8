import { request } from '../http.js'
import { IETF_VERSIONS, type IetfSelection, type IetfVersion } from '../types.js'
import { PARTIAL_UPLOAD } from './draft.js'
import { limitField } from './fields.js'

/**
 * Which interop versions the server answers, and the one to check. The draft has no version
 * discovery, so each version is asked by OPTIONS (a request that creates nothing): a server speaking
 * it answers with Upload-Limit (required there by interop 9) or Accept-Patch naming
 * application/partial-upload (interop 8 and later drafts). `asked` 'newest' picks the newest
 * answered version; an explicit version is checked even when OPTIONS did not show it (the checks
 * then say what is missing, e.g. for a server whose OPTIONS stays tus-only).
 */
export async function selectIetfVersion(
  url: string,
  headers: Record<string, string>,
  asked: IetfVersion | 'newest',
): Promise<IetfSelection> {
  const answered: IetfVersion[] = []
  for (const version of IETF_VERSIONS) {
    const res = await request({
      method: 'OPTIONS',
      url,
      headers: { ...headers, 'Upload-Draft-Interop-Version': String(version) },
    }).catch(() => undefined)
    if (!res || res.status < 200 || res.status > 299) continue
    const acceptPatch = (res.headers['accept-patch'] ?? '')
      .split(',')
      .map((type) => type.split(';', 1)[0]?.trim().toLowerCase())
    if (limitField(res) !== undefined || acceptPatch.includes(PARTIAL_UPLOAD)) answered.push(version)
  }
  if (asked !== 'newest') return { version: asked, answered }
  const newest = answered[0]
  if (newest !== undefined) return { version: newest, answered }
  return {
    version: undefined,
    answered,
    reason: `the server answered OPTIONS as none of interop ${IETF_VERSIONS.join(', ')} (no Upload-Limit, no Accept-Patch: ${PARTIAL_UPLOAD}); name a version with --ietf 9|8|6 to check it anyway`,
  }
}
