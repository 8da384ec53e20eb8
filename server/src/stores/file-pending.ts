import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PendingConcatenations, PendingPair } from './types.js'

/**
 * Final uploads waiting for partials, on the file store: an empty file `<dir>/.waiting/<partial>/<final>`
 * per pair (".waiting" can never be an upload id, and has no ".json" twin, so it is never listed as
 * an upload). Ids are checked by the upload core before they get here.
 */
export function filePendingConcatenations(directory: string): PendingConcatenations {
  const root = path.join(directory, '.waiting')
  const folder = (partialId: string) => path.join(root, partialId)
  return {
    async add(partialId, finalId) {
      // Twice: a remove() of the partial's last entry may take the folder away between the two steps.
      for (let attempt = 1; ; attempt++) {
        await mkdir(folder(partialId), { recursive: true })
        try {
          await writeFile(path.join(folder(partialId), finalId), '')
          return
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 2) throw error
        }
      }
    },
    waitingFor: (partialId) => namesIn(folder(partialId)),
    async remove(partialId, finalId) {
      await rm(path.join(folder(partialId), finalId), { force: true })
      // The partial's folder goes with its last entry (ENOTEMPTY while others wait: it stays).
      await rmdir(folder(partialId)).catch(() => {})
    },
    async list() {
      const pairs: PendingPair[] = []
      for (const partialId of await namesIn(root)) {
        for (const finalId of await namesIn(folder(partialId))) pairs.push({ partialId, finalId })
      }
      return pairs
    },
  }
}

/** The entries of a folder; none when it does not exist (yet, or any more). */
async function namesIn(folder: string): Promise<string[]> {
  try {
    return await readdir(folder)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw error
  }
}
