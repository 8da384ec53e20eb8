import type { Upload } from '@tus/utils'
import { type CoreDeps, readUpload } from './deps.js'

/** Whether an error says the upload is not there (404), or no longer (410: expired). */
const isMissing = (error: unknown) => {
  const status = (error as { status?: number }).status
  return status === 404 || status === 410
}

/** The upload, or undefined when it no longer exists (removed, or expired and half-removed). */
export async function readIfExists(deps: Pick<CoreDeps, 'store'>, id: string): Promise<Upload | undefined> {
  try {
    return await readUpload(deps, id)
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}
