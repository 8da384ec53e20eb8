import { spawnSync } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseConfig } from '../src/config/load.js'
import { parseDuration, parseSize } from '../src/config/units.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

describe('configuration', () => {
  it('has documented defaults', () => {
    const config = loadConfig([], {})
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 1080,
      basePath: '/files',
      store: 'file',
      dataDir: './data',
      maxSize: 10 * 2 ** 30,
      uploadExpiry: 86_400_000,
      corsOrigins: ['*'],
      trustProxy: false,
      logLevel: 'info',
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads sizes and durations with units', () => {
    expect(parseSize('8MiB')).toBe(8 * 2 ** 20)
    expect(parseSize('1.5GB')).toBe(1.5e9)
    expect(parseSize(1024)).toBe(1024)
    expect(parseSize('12 parsecs')).toBeNaN()
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('24h')).toBe(86_400_000)
    expect(parseDuration('250')).toBe(250)
  })

  it('takes flags over environment over config file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tusk-config-'))
    const file = path.join(dir, 'tusk.json')
    await writeFile(file, JSON.stringify({ port: 1111, host: '0.0.0.0', maxSize: '1GiB' }))
    const config = loadConfig(['--config', file, '--port', '3333'], {
      TUSK_PORT: '2222',
      TUSK_MAX_SIZE: '2GiB',
    })
    expect(config.port).toBe(3333)
    expect(config.host).toBe('0.0.0.0')
    expect(config.maxSize).toBe(2 * 2 ** 30)
  })

  it('splits comma-separated lists and normalises the base path', () => {
    const config = loadConfig(
      ['--cors-origins', 'https://a.example, https://b.example', '--base-path', '/up/'],
      {},
    )
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example'])
    expect(config.basePath).toBe('/up')
  })

  it('names the field and what was expected when a value is invalid', () => {
    expect(() => parseConfig({ port: 'eighty' })).toThrow(ConfigError)
    expect(() => parseConfig({ port: 70000 })).toThrow(/port \(--port \/ TUSK_PORT\)/)
    expect(() => parseConfig({ maxSize: 'lots' })).toThrow(/maxSize.*byte size/)
    expect(() => parseConfig({ nonsense: 1 })).toThrow(/unknown option/)
    expect(() => loadConfig(['--no-such-flag'], {})).toThrow(ConfigError)
  })

  it('exits with status 2 and a message naming the field on an invalid value', () => {
    const run = spawnSync(process.execPath, [MAIN, '--port', 'abc'], { encoding: 'utf8', timeout: 10_000 })
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/port/)
    const env = spawnSync(process.execPath, [MAIN], {
      encoding: 'utf8',
      env: { ...process.env, TUSK_IDLE_TIMEOUT: 'soon' },
    })
    expect(env.status).toBe(2)
    expect(env.stderr).toMatch(
      /idleTimeout \(--idle-timeout \/ TUSK_IDLE_TIMEOUT\): expected the idle timeout as a duration/,
    )
  })
})
