import type { Command } from 'commander'
import { FileUrlStorage } from '../../node/file-url-storage.js'
import { formatBytes, percent } from '../format.js'
import { headUpload } from '../http.js'
import { collect, parseHeaders } from '../parse.js'
import { addTokenOption, type TokenFlags, withToken } from '../token.js'

export function registerList(program: Command): void {
  addTokenOption(program.command('list'))
    .description('list recorded unfinished uploads, with their offset on the server')
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--offline', 'do not ask the server for offsets')
    .option('--json', 'print machine-readable results')
    .action(async (flags: TokenFlags & { header: string[]; offline?: boolean; json?: boolean }) => {
      const headers = withToken(parseHeaders(flags.header), flags)
      const entries = await new FileUrlStorage().findAllUploads()
      const rows = await Promise.all(
        entries.map(async (entry) => {
          const urls = entry.parallelUploadUrls ?? (entry.uploadUrl ? [entry.uploadUrl] : [])
          let offset: number | null = null
          if (!flags.offline) {
            const infos = await Promise.all(urls.map((url) => headUpload(url, headers).catch(() => null)))
            offset = infos.every(Boolean) ? infos.reduce((sum, info) => sum + (info?.offset ?? 0), 0) : null
          }
          return {
            file: entry.path ?? null,
            endpoint: entry.endpoint ?? null,
            urls,
            size: entry.size,
            offset,
            created: entry.creationTime,
            key: entry.urlStorageKey,
          }
        }),
      )
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ uploads: rows }, null, 2)}\n`)
        return
      }
      if (rows.length === 0) {
        process.stdout.write('No unfinished uploads recorded.\n')
        return
      }
      for (const row of rows) {
        const progress =
          row.offset === null
            ? `?/${row.size === null ? '?' : formatBytes(row.size)}`
            : `${formatBytes(row.offset)}/${row.size === null ? '?' : formatBytes(row.size)} (${percent(row.offset, row.size)})`
        process.stdout.write(`${row.file ?? '(stream)'}  ${progress}  ${row.urls.join(' ')}\n`)
      }
    })
}
