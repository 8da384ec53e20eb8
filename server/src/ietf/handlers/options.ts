import type { IetfHandler } from '../context.js'
import { uploadLimit } from '../context.js'
import { sendFields } from '../respond.js'
import { PARTIAL_UPLOAD } from '../versions.js'

/** OPTIONS: "MUST send Upload-Limit" (min-size=0 when there are no limits); interop 8 also Accept-Patch. */
export const handleOptions: IetfHandler = async (ietf, { res, version }) => {
  sendFields(res, 204, {
    'Upload-Limit': uploadLimit(ietf, version),
    'Accept-Patch': version.acceptPatch ? PARTIAL_UPLOAD : undefined,
  })
}
