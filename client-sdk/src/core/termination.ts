import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client'
import { toUploadError } from './errors.js'
import type { UploadProtocol } from './types.js'

/** What a DELETE found: the upload was there and is now gone, or it was gone already (404/410). */
export type TerminationOutcome = 'terminated' | 'not_found'

/**
 * DELETE one upload URL (tus termination). The one implementation: `abort({ terminate: true })`,
 * the exported `terminate()` and the CLI's `tusk abort` all come here. A 404/410 is not an error
 * (the upload is gone either way) but is reported, so a caller that named the URL can say so.
 */
export async function terminateUpload(
  stack: HttpStack,
  url: string,
  headers: Record<string, string>,
  authorize: (req: HttpRequest) => Promise<void> = async () => {},
  protocol: UploadProtocol = 'tus-v1',
): Promise<TerminationOutcome> {
  const req = stack.createRequest('DELETE', url)
  // An upload is continued (and cancelled) with the protocol it was made with; the draft's interop
  // version is the one tus-js-client's ietf-draft-05 speaks.
  if (protocol === 'ietf-draft-05') req.setHeader('Upload-Draft-Interop-Version', '6')
  else req.setHeader('Tus-Resumable', '1.0.0')
  for (const [name, value] of Object.entries(headers)) req.setHeader(name, value)
  await authorize(req)
  let res: HttpResponse
  try {
    res = await req.send(null)
  } catch (error) {
    throw toUploadError(
      Object.assign(new Error('termination failed'), { originalRequest: req, causingError: error }),
    )
  }
  const status = res.getStatus()
  if (status === 204 || status === 200) return 'terminated'
  if (status === 404 || status === 410) return 'not_found'
  throw toUploadError(
    Object.assign(new Error('termination failed'), { originalRequest: req, originalResponse: res }),
  )
}
