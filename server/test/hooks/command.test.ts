import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { startServer } from '../../src/server.js'
import { createUpload, patch } from '../helpers.js'
import { SECRET, startReceiver, until } from './receiver.js'

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const hooks = (...args: string[]) => {
  const run = spawnSync(process.execPath, [MAIN, 'hooks', ...args], { encoding: 'utf8' })
  return { status: run.status, out: run.stdout, err: run.stderr }
}

describe('tusk-server hooks', () => {
  it('lists dead letters, and retry puts them back so a running server delivers them', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tusk-hooks-cli-'))
    dirs.push(dataDir)
    let status = 500
    const receiver = await startReceiver(() => ({ status }))
    const server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      hooksUrl: receiver.url,
      hooksSecret: SECRET,
      hooksEvents: 'post-finish',
      hooksRetrySchedule: '100ms',
    })
    try {
      const url = await createUpload(server.url, 2)
      expect((await patch(url, 0, Buffer.from('ok'))).status).toBe(204)
      await until(() => expect(receiver.ofType('post-finish')).toHaveLength(2))
      await until(() => {
        const listed = hooks('list', '--json', '--data-dir', dataDir)
        expect(listed.status).toBe(0)
        const parsed = JSON.parse(listed.out) as {
          pending: number
          deadLetters: { type: string; lastError: string }[]
        }
        expect(parsed.deadLetters).toEqual([
          expect.objectContaining({ type: 'post-finish', lastError: 'answered 500' }),
        ])
      })
      expect(hooks('list', '--data-dir', dataDir).out).toMatch(/0 pending, 1 dead letter/)
      status = 204
      const retried = hooks('retry', '--data-dir', dataDir)
      expect(retried.out).toContain('1 dead letter(s) put back')
      await until(() => expect(receiver.ofType('post-finish')).toHaveLength(3))
      await until(() => expect(hooks('list', '--data-dir', dataDir).out).toMatch(/0 pending, 0 dead letter/))
      expect(hooks('frobnicate').status).toBe(2)
      expect(hooks('list', '--redis-url', 'nope').status).toBe(2)
    } finally {
      await server.close()
      await receiver.close()
    }
  })
})
