import { open } from 'node:fs/promises'

/**
 * Makes a directory's entries durable: a file just created (or renamed) in it is only sure to exist
 * after a power loss once the directory itself is fsync'ed, whatever was fsync'ed in the file.
 * Some platforms and file systems cannot fsync a directory (Windows; EINVAL on a few): there it is
 * skipped, as nothing more can be done.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error
  } finally {
    await handle.close()
  }
}
