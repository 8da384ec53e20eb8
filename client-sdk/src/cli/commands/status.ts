import type { Command } from 'commander'
import { formatBytes, percent } from '../format.js'
import { headUpload } from '../http.js'
import { collect, parseHeaders, parseUploadUrl } from '../parse.js'
import { addTokenOption, type TokenFlags, withToken } from '../token.js'

export function registerStatus(program: Command): void {
  addTokenOption(program.command('status'))
    .description("show an upload's offset, length and metadata (HEAD)")
    .argument('<url>', 'upload URL')
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print machine-readable results')
    .action(async (url: string, flags: TokenFlags & { header: string[]; json?: boolean }) => {
      const info = await headUpload(parseUploadUrl(url), withToken(parseHeaders(flags.header), flags))
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ ...info, complete: info.length !== null && info.offset === info.length }, null, 2)}\n`,
        )
        return
      }
      const lines = [
        `url:      ${info.url}`,
        `offset:   ${info.offset} (${formatBytes(info.offset)})`,
        `length:   ${info.length === null ? 'deferred' : `${info.length} (${formatBytes(info.length)})`}`,
        `progress: ${percent(info.offset, info.length)}${info.length !== null && info.offset === info.length ? ' complete' : ''}`,
      ]
      if (info.expires) lines.push(`expires:  ${info.expires}`)
      if (info.concat) lines.push(`concat:   ${info.concat}`)
      for (const [key, value] of Object.entries(info.metadata)) lines.push(`meta:     ${key}=${value}`)
      process.stdout.write(`${lines.join('\n')}\n`)
    })
}
