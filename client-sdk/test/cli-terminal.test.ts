import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTusk, type TestTusk } from '../../test-support/tusk.js'
import { until } from '../../test-support/until.js'
import { recordedUrls, runCli } from './helpers/cli.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { randomFile, tempDir } from './helpers/files.js'
import { Terminal } from './helpers/terminal.js'

// The CLI as a person sees it on a terminal (tmux as the pseudo-terminal, its screen read back):
// the bars redraw in place, and the lines that matter most come last and must not be lost.

const SIZE = 16 * 1024 * 1024
/** A bar row: the file's label, the bar between pipes, a percentage, an ETA with its unit. */
const BAR_ROW = /^big\.bin\s+\|[^|]*\|\s+\d+%( .*)? ETA (--|\d+s|\d+m\d\ds|\d+h\d\dm)$/

let tusk: TestTusk
let proxy: FaultProxy
let dir: Awaited<ReturnType<typeof tempDir>>
let file: string
let state: string
let terminal: Terminal | null = null

beforeAll(async () => {
  tusk = await startTusk()
  dir = await tempDir()
  file = await randomFile(join(dir.path, 'big.bin'), SIZE)
})
afterAll(async () => {
  await tusk?.close()
  await dir?.remove()
})
beforeEach(async (context) => {
  proxy = await FaultProxy.start(tusk.url)
  state = join(dir.path, `state-${context.task.id}`)
})
afterEach(async () => {
  await terminal?.close()
  terminal = null
  await proxy.close()
})

const exited = async (term: Terminal) => {
  const line = await until(
    async () => (await term.screen()).find((row) => /^\[exit \d+\]$/.test(row)),
    60_000,
    'the "[exit N]" line on the terminal',
    { intervalMs: 100 }, // each look at the screen is a tmux process
  )
  return Number(/\d+/.exec(line)?.[0])
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('tusk on a terminal', () => {
  it('redraws one bar in place with an ETA in units, and leaves the uploaded URL on screen', async () => {
    proxy.throttle = 4 * 1024 * 1024 // ~4 s: long enough to watch the bar move
    terminal = await Terminal.start(['upload', file, '--endpoint', proxy.endpoint, '--chunk-size', '1M'], {
      stateHome: state,
      columns: 100,
    })
    const term = terminal
    // Mid-upload, several looks at the screen: always exactly one bar row, never a scrolled trail.
    const samples: string[][] = []
    const percents = new Set<string>()
    await until(
      async () => {
        const bars = (await term.screen()).filter((row) => row.startsWith('big.bin '))
        if (bars.length > 0 || samples.length > 0) samples.push(bars) // from the first drawing on
        const percent = /(\d+)%/.exec(bars[0] ?? '')?.[1] ?? '0'
        if (percent !== '0' && percent !== '100') percents.add(percent)
        return percents.size >= 3
      },
      30_000,
      'three different percentages drawn',
      { intervalMs: 100 }, // each look at the screen is a tmux process
    )
    for (const bars of samples) expect(bars).toEqual([expect.stringMatching(BAR_ROW)])
    expect(await exited(term)).toBe(0)
    expect(await recordedUrls(state)).toEqual([]) // finished uploads are forgotten
    const screen = await term.screen()
    const uploaded = screen.find((row) => row.startsWith('big.bin: uploaded '))
    expect(uploaded).toMatch(new RegExp(`^big\\.bin: uploaded ${proxy.endpoint}/\\S+$`))
    expect(screen.filter((row) => BAR_ROW.test(row))).toEqual([expect.stringMatching(/\|\s*100% /)])
    expect(await term.cursorVisible()).toBe(true)
  })

  it('shows why an upload failed, word-wrapped to a narrow terminal, then the summary', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/files`
    const args = ['upload', file, '--endpoint', endpoint, '--retries', '0']
    // The same run through a pipe gives the lines the terminal must show in full.
    const piped = await runCli(args, join(state, 'piped'))
    const lines = [...piped.stdout.split('\n'), ...piped.stderr.split('\n')].filter(Boolean)
    expect(lines.some((line) => line.length > 50)).toBe(true)

    terminal = await Terminal.start(args, { stateHome: state, columns: 50 })
    expect(await exited(terminal)).toBe(1)
    const screen = await terminal.screen()
    for (const row of screen) expect(row.length).toBeLessThanOrEqual(50)
    expect(screen.filter((row) => row.startsWith('big.bin '))).toEqual([expect.stringMatching(BAR_ROW)])
    const text = await terminal.text()
    for (const line of lines) expect(text).toContain(line.replace(/\s+/g, ' ').trim())
    expect(text).toContain('tusk: 1 of 1 uploads failed.')
  })

  it('shows the Ctrl-C notice, exits 130 and gives the cursor back', async () => {
    proxy.throttle = 2 * 1024 * 1024
    terminal = await Terminal.start(['upload', file, '--endpoint', proxy.endpoint, '--chunk-size', '1M'], {
      stateHome: state,
      columns: 80,
    })
    const term = terminal
    await until(
      async () => (await term.screen()).some((row) => BAR_ROW.test(row) && !/\|\s+0% /.test(row)),
      30_000,
      'a progress bar past 0%',
      { intervalMs: 100 }, // each look at the screen is a tmux process
    )
    await term.press('C-c')
    expect(await exited(term)).toBe(130)
    expect(await term.text()).toContain('Interrupted: pausing uploads; run the same command again to resume.')
    const bars = (await term.screen()).filter((row) => row.startsWith('big.bin '))
    expect(bars).toEqual([expect.stringMatching(BAR_ROW)])
    expect(await term.cursorVisible()).toBe(true)
  })
})
