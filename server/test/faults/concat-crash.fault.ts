import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContainerClient } from '@azure/storage-blob'
import { afterAll, describe, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { freePort } from '../../../test-support/ports.js'
import { azureContainerClient } from '../../src/stores/azure-client.js'
import { partialUpload } from './harness/partial-upload.js'
import { MiB, waitUntil } from './harness/proc-stats.js'
import { tusRequest } from './harness/tus-requests.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

// Issue 13: a kill -9 of the server in the middle of a concatenation on the file store and on Azure
// (each partial's bytes streamed into the final upload) must not leave the final half-filled until it
// expires, nor ever serve half of it as complete. The concatenation is recorded as pending while it
// runs, so the restarted server finds the final at start-up and assembles it (the file store writes
// it again from the start; Azure appends what is missing, an append blob cannot be rewritten). The
// server is killed once the final holds some but not all of its bytes, watched from outside (the
// data file's size, the append blob's length).

let tusk: TuskProcess | undefined
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  await killTree(tusk)
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const scripts = fileURLToPath(new URL('../../../scripts/', import.meta.url))

interface Scenario {
  args: string[]
  partialSize: number
  /** Bytes the final upload `finalId` holds now, or undefined when it does not exist yet. */
  finalLength(partialIds: readonly string[]): Promise<{ id: string; length: number } | undefined>
}

async function fileScenario(): Promise<Scenario> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-concat-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  return {
    args: [`--data-dir=${dataDir}`],
    partialSize: 64 * MiB,
    async finalLength(partialIds) {
      for (const name of await readdir(dataDir)) {
        if (name.startsWith('.') || name.endsWith('.json') || partialIds.includes(name)) continue
        return { id: name, length: (await stat(path.join(dataDir, name))).size }
      }
      return undefined
    },
  }
}

async function azureScenario(): Promise<Scenario> {
  // An Azurite of this file's own, blobs on disk (scripts/azurite-start.sh).
  const port = await freePort()
  const dir = await mkdtemp(path.join(tmpdir(), 'tusk-fault-concat-azure-'))
  const azurite = (script: string) =>
    execFileSync(path.join(scripts, script), [String(port), dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
  const env = Object.fromEntries(
    azurite('azurite-start.sh')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  )
  cleanups.push(async () => {
    azurite('azurite-stop.sh')
    await rm(dir, { recursive: true, force: true })
  })
  const settings = {
    azureEndpoint: env.AZURE_BLOB_ENDPOINT as string,
    azureAccount: env.AZURE_ACCOUNT_NAME as string,
    azureAccountKey: env.AZURE_ACCOUNT_KEY as string,
    azureContainer: `concat-crash-${process.pid}`,
  }
  const container: ContainerClient = azureContainerClient(settings)
  return {
    args: [
      '--store=azure',
      `--azure-container=${settings.azureContainer}`,
      `--azure-account=${settings.azureAccount}`,
      `--azure-account-key=${settings.azureAccountKey}`,
      `--azure-endpoint=${settings.azureEndpoint}`,
    ],
    // Azurite keeps every append block on disk: smaller partials, the same number of them.
    partialSize: 16 * MiB,
    async finalLength(partialIds) {
      for await (const blob of container.listBlobsFlat()) {
        if (blob.name.includes('/') || blob.name.endsWith('.info') || partialIds.includes(blob.name)) continue
        return { id: blob.name, length: blob.properties.contentLength ?? 0 }
      }
      return undefined
    },
  }
}

const PARTIALS = 4

describe.each([
  ['file store', fileScenario],
  ['Azure store', azureScenario],
] as const)('%s', (name, makeScenario) => {
  it('assembles at start-up, byte-exact, a concatenation the server was SIGKILLed in the middle of', async () => {
    await killTree(tusk)
    const scenario = await makeScenario()
    const args = [...scenario.args, '--log-level=info']
    tusk = await startTusk(args)
    const { port } = tusk
    const endpoint = tusk.url
    const data = Array.from({ length: PARTIALS }, (_, i) => bytes(scenario.partialSize + i * 1001, 60 + i))
    const whole = Buffer.concat(data)
    const ids: string[] = []
    for (const part of data) ids.push((await partialUpload(endpoint, part)).split('/').pop() as string)

    // The final's POST runs the concatenation; the server dies once the final holds part of its bytes.
    const running = tusk
    const concat = `final;${ids.map((id) => new URL(`${endpoint}/${id}`).pathname).join(' ')}`
    const posted = tusRequest(endpoint, 'POST', { 'Upload-Concat': concat }, 120_000).catch(
      (error: Error) => error,
    )
    let atKill: { id: string; length: number } | undefined
    await waitUntil(
      async () => {
        const final = await scenario.finalLength(ids)
        if (!final || final.length === 0) return false
        if (final.length < whole.length) {
          process.kill(running.pid, 'SIGKILL')
          atKill = final
        }
        return true
      },
      60_000,
      'the final upload partly filled',
      5,
    )
    await running.exited
    if (!atKill) return expect.unreachable('the concatenation ended before the kill')
    const killedAt = atKill
    expect(await posted).toBeInstanceOf(Error)
    expect(killedAt.length).toBeLessThan(whole.length)

    tusk = await startTusk(args, { port })
    const finalUrl = `${tusk.url}/${killedAt.id}`
    // Never half an object: a download at once is refused (not finished yet) or whole.
    const early = await fetch(finalUrl)
    const earlyBody = Buffer.from(await early.arrayBuffer())
    if (early.status === 200) expect(sha256(earlyBody)).toBe(sha256(whole))
    else expect(early.status).toBeGreaterThanOrEqual(400)
    // The start-up tending assembles it without any request asking.
    const server = tusk
    const tendedMs = await waitUntil(
      () => /tended pending concatenations/.test(server.output()),
      90_000,
      'the start-up tending',
    )
    expect(server.output()).toMatch(/"assembled":1/)
    const head = await tusRequest(finalUrl, 'HEAD', {}, 60_000)
    expect(head.status).toBe(200)
    expect(head.headers['upload-length']).toBe(String(whole.length))
    expect(head.headers['upload-offset']).toBe(String(whole.length))
    const downloaded = await fetch(finalUrl)
    expect(downloaded.status).toBe(200)
    const got = Buffer.from(await downloaded.arrayBuffer())
    expect(got.length).toBe(whole.length)
    expect(sha256(got)).toBe(sha256(whole))
    console.log(
      `${name} concatenation SIGKILL:`,
      JSON.stringify({
        partials: PARTIALS,
        bytes: whole.length,
        bytesAtKill: killedAt.length,
        earlyGet: early.status,
        assembledAfterStartMs: tendedMs,
      }),
    )
  })
})
