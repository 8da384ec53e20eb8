import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryUrlStorage } from '../src/core/url-storage.js'
import { FileUrlStorage } from '../src/node/file-url-storage.js'
import { stateDir } from '../src/node/state-dir.js'
import { tempDir } from './helpers/files.js'

const dist = fileURLToPath(new URL('../dist/index.node.js', import.meta.url))
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const entry = (url: string) => ({
  size: 10,
  metadata: {},
  creationTime: new Date().toString(),
  uploadUrl: url,
  parallelUploadUrls: null,
})

/** A separate Node process adding `count` entries to the store file as fast as it can. */
function writer(path: string, name: string, count: number): Promise<number> {
  const script = `
    const { FileUrlStorage } = await import(${JSON.stringify(dist)})
    const storage = new FileUrlStorage(${JSON.stringify(path)})
    await Promise.all(Array.from({ length: ${count} }, (_, i) =>
      storage.addUpload('${name}-' + i, { size: 1, metadata: {}, creationTime: '', uploadUrl: 'http://x/${name}/' + i, parallelUploadUrls: null })))
  `
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', (code) => resolve(code ?? -1))
  })
}

describe('URL stores', () => {
  it('file store: two processes writing at once lose no entry and leave valid JSON', async () => {
    const dir = await tempDir()
    cleanups.push(dir.remove)
    const path = join(dir.path, 'state', 'uploads.json')
    expect(await Promise.all([writer(path, 'a', 40), writer(path, 'b', 40)])).toEqual([0, 0])
    const uploads = await new FileUrlStorage(path).findAllUploads()
    expect(uploads).toHaveLength(80)
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')))).toHaveLength(80)
  })

  it('file store: finds by fingerprint and removes by key', async () => {
    const dir = await tempDir()
    cleanups.push(dir.remove)
    const storage = new FileUrlStorage(join(dir.path, 'uploads.json'))
    const key = await storage.addUpload('fp-1', entry('http://x/1'))
    await storage.addUpload('fp-2', entry('http://x/2'))
    expect((await storage.findUploadsByFingerprint('fp-1')).map((u) => u.uploadUrl)).toEqual(['http://x/1'])
    await storage.removeUpload(key)
    expect((await storage.findAllUploads()).map((u) => u.uploadUrl)).toEqual(['http://x/2'])
  })

  it('memory store: keeps entries per fingerprint for the life of the object', async () => {
    const storage = new MemoryUrlStorage()
    const key = await storage.addUpload('fp', entry('http://x/1'))
    expect((await storage.findUploadsByFingerprint('fp'))[0]?.urlStorageKey).toBe(key)
    expect(await storage.findUploadsByFingerprint('other')).toEqual([])
  })

  it('state directory follows XDG_STATE_HOME, else ~/.local/state/tusk', () => {
    expect(stateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/tusk')
    expect(stateDir({ HOME: '/h' })).toMatch(/\.local\/state\/tusk$/)
  })
})
