import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PendingConcatenations } from './types.js'

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
    async waitingFor(partialId) {
      try {
        return await readdir(folder(partialId))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw error
      }
    },
    async remove(partialId, finalId) {
      await rm(path.join(folder(partialId), finalId), { force: true })
      // The partial's folder goes with its last entry (ENOTEMPTY while others wait: it stays).
      await rmdir(folder(partialId)).catch(() => {})
    },
  }
}
