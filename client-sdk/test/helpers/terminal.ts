import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { CLI } from './cli.js'

const run = promisify(execFile)

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`

/**
 * `tusk …` on a real pseudo-terminal: a detached tmux session of a fixed size on its own socket.
 * tmux interprets what the CLI writes (cursor moves, erasures, wrapping) like a terminal does, so
 * `screen()` is what a person would see. The pane stays after the CLI exits and shows `[exit N]`.
 */
export class Terminal {
  private constructor(
    private readonly socket: string,
    readonly columns: number,
  ) {}

  static async start(
    args: string[],
    options: { stateHome: string; columns: number; rows?: number },
  ): Promise<Terminal> {
    const socket = `tusk-test-${randomUUID()}`
    const command = [
      `XDG_STATE_HOME=${quote(options.stateHome)}`,
      'TUSK_STATE_DIR=',
      quote(process.execPath),
      quote(CLI),
      ...args.map(quote),
    ].join(' ')
    const terminal = new Terminal(socket, options.columns)
    await terminal.tmux(
      'new-session',
      '-d',
      '-x',
      String(options.columns),
      '-y',
      String(options.rows ?? 24),
      `${command}; echo "[exit $?]"; exec sleep 600`,
    )
    return terminal
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-f', '/dev/null', '-L', this.socket, ...args], {
      env: { ...process.env, TERM: 'xterm-256color' },
    })
    return stdout
  }

  /** The visible screen, one string per row, trailing spaces removed. */
  async screen(): Promise<string[]> {
    const text = await this.tmux('capture-pane', '-p', '-t', '0')
    return text
      .replace(/\n$/, '')
      .split('\n')
      .map((row) => row.trimEnd())
  }

  /** The screen as running text: rows joined, runs of white space made one space. */
  async text(): Promise<string> {
    return (await this.screen()).join(' ').replace(/\s+/g, ' ').trim()
  }

  /** Whether the cursor is shown (a CLI that hid it for its bars must show it again). */
  async cursorVisible(): Promise<boolean> {
    return (await this.tmux('display-message', '-p', '-t', '0', '#{cursor_flag}')).trim() === '1'
  }

  async press(key: string): Promise<void> {
    await this.tmux('send-keys', '-t', '0', key)
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => {})
  }
}
