#!/usr/bin/env node
// `tusk`: upload files to a tus server, resumably; inspect, resume, abort and download uploads.
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { TuskUploadError } from '../core/errors.js'
import { registerAbort } from './commands/abort.js'
import { registerDownload } from './commands/download.js'
import { registerList } from './commands/list.js'
import { registerResume } from './commands/resume.js'
import { registerStatus } from './commands/status.js'
import { registerUpload } from './commands/upload.js'
import { CommandFailure, EXIT, UsageError } from './usage-error.js'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/** One clear sentence on stderr: capitalised, ending with a full stop. */
function sentence(message: string): string {
  const text = message.trim().replace(/^error: /i, '')
  // Capitalise prose only: a message may start with a method or a URL ("PATCH http://…").
  const capital = /^[a-z]+ /.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok
  const setExit = (code: number) => {
    exitCode = code
  }
  const program = new Command()
    .name('tusk')
    .description('Resumable uploads to a tus server (Tusk). Re-running an interrupted command resumes it.')
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false)
  registerUpload(program, setExit)
  registerResume(program, setExit)
  registerList(program)
  registerStatus(program)
  registerAbort(program)
  registerDownload(program, setExit)

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok // --help, --version
      // No command at all: commander has printed the help (to stderr); that is the whole answer.
      if (error.code === 'commander.help') return EXIT.usage
      process.stderr.write(`tusk: ${sentence(error.message)} See tusk --help.\n`)
      return EXIT.usage
    }
    if (error instanceof UsageError) {
      process.stderr.write(`tusk: ${sentence(error.message)}\n`)
      return EXIT.usage
    }
    if (error instanceof CommandFailure || error instanceof TuskUploadError) {
      process.stderr.write(`tusk: ${sentence(error.message)}\n`)
      return EXIT.failure
    }
    process.stderr.write(`tusk: ${sentence((error as Error)?.message ?? String(error))}\n`)
    return EXIT.failure
  }
}

const code = await main(process.argv.slice(2))
// Let stdout drain (piped output) before leaving; nothing else should keep the process alive.
process.exitCode = code
if (code !== EXIT.ok) setTimeout(() => process.exit(code), 50).unref()
