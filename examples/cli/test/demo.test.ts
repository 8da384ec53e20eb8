import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import getPort from 'get-port'
import { describe, expect, it } from 'vitest'

const demo = fileURLToPath(new URL('../demo.sh', import.meta.url))

describe('the CLI demo', () => {
  it('kills the CLI mid-upload, resumes sending only the missing bytes, and ends identical', async () => {
    const port = await getPort()
    const { stdout } = await promisify(execFile)('sh', [demo], {
      env: { ...process.env, TUSK_DEMO_PORT: String(port) },
      maxBuffer: 16 * 1024 * 1024,
    })
    const stored = Number(/the server holds (\d+) of 268435456 bytes/.exec(stdout)?.[1])
    expect(stored).toBeGreaterThan(0)
    expect(stored).toBeLessThan(268435456)
    expect(stdout).toContain(`"resumedFrom": ${stored}`)
    expect(stdout).toMatch(/the resume sent \d+ bytes \(request headers included\) for the \d+ missing bytes/)
    expect(stdout.trimEnd().endsWith('identical')).toBe(true)
  }, 120_000)
})
