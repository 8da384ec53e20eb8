import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('README', () => {
  it('opens with one sentence and the two newcomer commands', () => {
    const firstScreen = readFileSync(`${root}README.md`, 'utf8').split('\n').slice(0, 12).join('\n')
    expect(firstScreen).toContain('npm install && npm start')
    expect(firstScreen).toContain('npm test')
  })

  it('documents every configuration option with its real default (generated from the schema)', () => {
    const check = spawnSync(process.execPath, ['scripts/config-table.mjs', '--check'], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
  })
})
