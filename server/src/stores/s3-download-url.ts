import { GetObjectCommand, type S3 } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'

/**
 * A presigned GetObject URL for a finished upload's object, valid `lifetimeMs` (whole seconds, at
 * least one): the client fetches the bytes from S3 itself, Range requests included. S3 answers it
 * with Tusk's own Content-Type and Content-Disposition (response-* overrides, part of the signature),
 * so a redirected download is served as safely as one Tusk streams. Signed locally: no S3 request.
 */
export async function presignedDownload(
  s3: S3,
  bucket: string,
  id: string,
  headers: { contentType: string; contentDisposition: string },
  lifetimeMs: number,
): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: id,
    ResponseContentType: headers.contentType,
    ResponseContentDisposition: headers.contentDisposition,
  })
  return getSignedUrl(s3, command, { expiresIn: Math.max(1, Math.floor(lifetimeMs / 1000)) })
}
