import { execFile } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain-JS example module
import { choosePort } from '../ports.mjs'

const serveScript = fileURLToPath(new URL('../serve.mjs', import.meta.url))
let busy: net.Server
let busyPort: number

beforeAll(async () => {
  busy = net.createServer().listen(0, '127.0.0.1')
  await once(busy, 'listening')
  busyPort = (busy.address() as net.AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))

describe('the browser example next to a running Tusk', () => {
  it('picks a free port when its default port is taken and says which', async () => {
    const port = await choosePort('TUSK_PORT_UNSET_IN_THIS_TEST', busyPort)
    expect(port).not.toBe(busyPort)
    expect(port).toBeGreaterThan(0)
  })

  it('keeps a port given in the environment', async () => {
    process.env.TUSK_TEST_GIVEN_PORT = '4321'
    expect(await choosePort('TUSK_TEST_GIVEN_PORT', busyPort)).toBe(4321)
    delete process.env.TUSK_TEST_GIVEN_PORT
  })

  it('ends in one line naming TUSK_PORT, not a stack trace, when the given port is in use', async () => {
    const run = promisify(execFile)(process.execPath, [serveScript], {
      env: { ...process.env, TUSK_PORT: String(busyPort), PAGE_PORT: '0' },
    })
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    )
    expect(failure?.code).toBe(1)
    expect(failure?.stderr).toBe(
      `examples/browser: port ${busyPort} is already in use: stop what listens there or set TUSK_PORT to a free port (0 picks one).\n`,
    )
  })
})
