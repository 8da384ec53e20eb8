import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, statfs } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface SmallDisk {
  /** Where the filesystem is mounted. */
  readonly dir: string
  /** Bytes still free for files. */
  free(): Promise<number>
  /** Unmounts it (everything on it is gone) and removes the mount point. */
  dispose(): Promise<void>
}

/**
 * A filesystem of `mib` MiB of its own (tmpfs), so a test can fill it without filling the machine's
 * disk. Needs root (CI runs as root), as `mount` does.
 */
export async function mountSmallDisk(mib: number): Promise<SmallDisk> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir])
  let mounted = true
  return {
    dir,
    async free() {
      const stats = await statfs(dir)
      return stats.bavail * stats.bsize
    },
    async dispose() {
      if (mounted) {
        // Lazy: a process killed a moment ago may still hold a file open on it.
        execFileSync('umount', ['-l', dir])
        mounted = false
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
