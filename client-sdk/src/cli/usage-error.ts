/** Exit codes of the `tusk` command. */
export const EXIT = {
  ok: 0,
  /** An upload, download or server request failed. */
  failure: 1,
  /** The command line was wrong (unknown option, bad value, missing file). */
  usage: 2,
  /** Interrupted with Ctrl-C: uploads were paused and can be resumed (128 + SIGINT, the shell convention). */
  interrupted: 130,
} as const

/** A mistake on the command line: reported in one sentence, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A failure of the requested operation: reported in one sentence, exit code 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure'
}
