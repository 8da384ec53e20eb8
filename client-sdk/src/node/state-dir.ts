import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where Tusk keeps per-user state (the remembered upload URLs): $XDG_STATE_HOME/tusk, else
 * ~/.local/state/tusk (the XDG default), or %LOCALAPPDATA%\tusk on Windows.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TUSK_STATE_DIR) return env.TUSK_STATE_DIR
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tusk')
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'tusk')
  return join(homedir(), '.local', 'state', 'tusk')
}

export function defaultUrlStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'uploads.json')
}
