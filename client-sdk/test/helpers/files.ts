import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function tempDir(prefix = 'tusk-client-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Writes `size` random bytes (in 1 MiB pieces, so big files do not need big memory). */
export async function randomFile(path: string, size: number): Promise<string> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size; ) {
      const piece = randomBytes(Math.min(1024 * 1024, size - written))
      await handle.write(piece)
      written += piece.length
    }
  } finally {
    await handle.close()
  }
  return path
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** SHA-256 of what the server serves at a finished upload's URL (Tusk answers GET with the bytes). */
export async function sha256Remote(url: string): Promise<string> {
  const res = await fetch(url)
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`)
  const hash = createHash('sha256')
  // A reader loop, not `for await`: the DOM typings of ReadableStream (this package targets both
  // platforms) have no async iterator.
  const reader = res.body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) hash.update(read.value)
  return hash.digest('hex')
}

export async function headOffset(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
  if (!res.ok) throw new Error(`HEAD ${url} answered ${res.status}`)
  return Number(res.headers.get('Upload-Offset'))
}

export { writeFile }
