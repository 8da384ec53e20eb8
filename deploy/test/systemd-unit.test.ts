import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { loadConfig } from '@tusk/server'
import { describe, expect, it } from 'vitest'

// deploy/systemd/tusk.service is checked by systemd's own parser (`systemd-analyze verify`: unknown
// keys, bad values, a missing ExecStart) and against Tusk's configuration schema. systemd does not
// run as PID 1 here, so the unit is not started.

const unitFile = fileURLToPath(new URL('../systemd/tusk.service', import.meta.url))
const execFileAsync = promisify(execFile)

/** `Key=value` lines of the unit, in order (repeated keys such as Environment= kept). */
async function unitLines(): Promise<[string, string][]> {
  return (await readFile(unitFile, 'utf8'))
    .split('\n')
    .map((line) => /^([A-Za-z]+)=(.*)$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? ''])
}

describe('deploy/systemd/tusk.service', () => {
  it('passes systemd-analyze verify without a warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tusk-systemd-'))
    try {
      // ExecStart names where `npm install -g` puts the bin; it is not installed on this machine,
      // so the copy verified here points at an executable that exists.
      const text = (await readFile(unitFile, 'utf8')).replace(
        /^ExecStart=\/usr\/local\/bin\/tusk-server$/m,
        `ExecStart=${process.execPath}`,
      )
      expect(text).toContain(`ExecStart=${process.execPath}`)
      const copy = path.join(dir, 'tusk.service')
      await writeFile(copy, text)
      const { stderr } = await execFileAsync('systemd-analyze', ['verify', copy], { cwd: dir })
      expect(stderr).toBe('')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('rejects a unit with an unknown key (so the check above can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tusk-systemd-'))
    try {
      const copy = path.join(dir, 'tusk.service')
      await writeFile(copy, `[Service]\nExecStart=${process.execPath}\nTimeoutStopSecs=40\n`)
      const { stderr } = await execFileAsync('systemd-analyze', ['verify', copy], { cwd: dir })
      expect(stderr).toMatch(/Unknown key 'TimeoutStopSecs'/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('has a configuration Tusk accepts, on loopback, and stops later than Tusk drains', async () => {
    const lines = await unitLines()
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of lines) {
      if (key !== 'Environment') continue
      const [name, ...rest] = value.split('=')
      if (name) env[name] = rest.join('=')
    }
    const config = loadConfig([], env)
    expect(config.host).toBe('127.0.0.1')
    expect(config.dataDir).toBe('/var/lib/tusk')
    expect(lines).toContainEqual(['StateDirectory', 'tusk'])
    const stopSec = Number(lines.find(([key]) => key === 'TimeoutStopSec')?.[1])
    expect(stopSec * 1000).toBeGreaterThan(config.shutdownTimeout)
  })
})
