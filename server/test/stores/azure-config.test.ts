import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { azureSettings } from '../../../test-support/services.js'
import { spawnTusk } from '../../../test-support/tusk-process.js'
import { send } from '../helpers.js'

// `--store azure` is configured like every other option: flags, TUSK_* environment or a JSON file
// (one schema), and an incomplete configuration stops the server at start-up naming the option.

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [MAIN, '--port', '0', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, ...env },
  })

describe('--store azure configuration errors', () => {
  it('exits 2 naming the option when --store azure has no container', () => {
    const result = run(['--store', 'azure', '--azure-connection-string', 'UseDevelopmentStorage=true'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(
      /azureContainer \(--azure-container \/ TUSK_AZURE_CONTAINER\): required with --store azure/,
    )
  })

  it('exits 2 naming the option when --store azure has no credentials', () => {
    const result = run(['--store', 'azure', '--azure-container', 'uploads'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(
      /azureConnectionString \(--azure-connection-string.*required with --store azure/,
    )
  })

  it('exits 2 when an account name comes without its key', () => {
    const result = run(['--store', 'azure', '--azure-container', 'uploads', '--azure-account', 'acct'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/azureAccountKey \(--azure-account-key/)
  })

  it('exits 2 when a connection string is given with an account as well', () => {
    const result = run([], {
      TUSK_STORE: 'azure',
      TUSK_AZURE_CONTAINER: 'uploads',
      TUSK_AZURE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      TUSK_AZURE_ACCOUNT: 'acct',
      TUSK_AZURE_ACCOUNT_KEY: 'a2V5',
    })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/azureConnectionString .*give it alone/)
  })

  it('exits 2 naming the option for a container name Azure would refuse', () => {
    const result = run(['--store', 'azure', '--azure-container', 'Uploads_1', '--azure-account', 'a'])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/azureContainer \(--azure-container.*Azure container name/)
  })
})

describe('--store azure from the environment and from a JSON file', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })
  const { azureEndpoint, azureAccount, azureAccountKey } = azureSettings()
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${azureAccount};AccountKey=${azureAccountKey};BlobEndpoint=${azureEndpoint};`

  it('serves from TUSK_AZURE_* (a connection string), ready once the container it created is writable', async () => {
    const tusk = await spawnTusk(['--log-level=warn'], {
      env: {
        TUSK_STORE: 'azure',
        TUSK_AZURE_CONTAINER: `tusk-env-${process.pid}`,
        TUSK_AZURE_CONNECTION_STRING: connectionString,
      },
    })
    const ready = await send(`${tusk.origin}/ready`)
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body.toString())).toMatchObject({ store: 'azure' })
    // The key is a secret: never in the start-up output.
    expect(tusk.output()).not.toContain(azureAccountKey)
  })

  it('serves from a --config JSON file (account, key and endpoint)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tusk-azure-config-'))
    dirs.push(dir)
    const file = path.join(dir, 'tusk.json')
    await writeFile(
      file,
      JSON.stringify({
        store: 'azure',
        azureContainer: `tusk-json-${process.pid}`,
        azureAccount,
        azureAccountKey,
        azureEndpoint,
      }),
    )
    const tusk = await spawnTusk([`--config=${file}`, '--log-level=warn'])
    const options = await send(`${tusk.url}`, { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(String(options.headers['tus-extension']).split(',')).toEqual(
      expect.arrayContaining([
        'creation',
        'creation-defer-length',
        'termination',
        'expiration',
        'concatenation',
      ]),
    )
    expect((await send(`${tusk.origin}/ready`)).status).toBe(200)
  })
})
