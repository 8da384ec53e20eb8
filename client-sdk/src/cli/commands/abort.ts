import { resolve } from 'node:path'
import type { Command } from 'commander'
import { FileUrlStorage } from '../../node/file-url-storage.js'
import { deleteUpload } from '../http.js'
import { collect, parseHeaders } from '../parse.js'
import { CommandFailure } from '../usage-error.js'

const isUrl = (text: string) => /^https?:\/\//i.test(text)

export function registerAbort(program: Command): void {
  program
    .command('abort')
    .description('terminate an upload on the server (by URL, or every recorded upload of a file)')
    .argument('<target>', 'upload URL or file path')
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print machine-readable results')
    .action(async (target: string, flags: { header: string[]; json?: boolean }) => {
      const headers = parseHeaders(flags.header)
      const storage = new FileUrlStorage()
      const entries = await storage.findAllUploads()
      const urlsOf = (entry: (typeof entries)[number]) => [
        ...(entry.parallelUploadUrls ?? []),
        ...(entry.uploadUrl ? [entry.uploadUrl] : []),
      ]
      let matching: typeof entries
      let urls: string[]
      if (isUrl(target)) {
        matching = entries.filter((entry) => urlsOf(entry).includes(target))
        urls = matching.length > 0 ? matching.flatMap(urlsOf) : [target]
      } else {
        const path = resolve(target)
        matching = entries.filter((entry) => entry.path === path)
        if (matching.length === 0) throw new CommandFailure(`No recorded upload for ${path}.`)
        urls = matching.flatMap(urlsOf)
      }
      for (const url of urls) await deleteUpload(url, headers)
      for (const entry of matching) await storage.removeUpload(entry.urlStorageKey)
      if (flags.json) process.stdout.write(`${JSON.stringify({ terminated: urls }, null, 2)}\n`)
      else process.stdout.write(`Terminated ${urls.join(', ')}\n`)
    })
}
