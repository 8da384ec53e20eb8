import { resolve } from 'node:path'
import type { Command } from 'commander'
import { terminate } from '../../core/endpoint.js'
import { refusalReason, TuskUploadError } from '../../core/errors.js'
import { FileUrlStorage } from '../../node/file-url-storage.js'
import { collect, parseHeaders, parseUploadUrl } from '../parse.js'
import { addTokenOption, sendsAuthorization, type TokenFlags, tokenRefused, withToken } from '../token.js'
import { CommandFailure } from '../usage-error.js'

/** Anything with a scheme ("x://") is meant as a URL; the rest is a file path. */
const isUrl = (text: string) => /^[a-z][a-z\d+.-]*:\/\//i.test(text)

export function registerAbort(program: Command): void {
  addTokenOption(program.command('abort'))
    .description('terminate an upload on the server (by URL, or every recorded upload of a file)')
    .argument('<target>', 'upload URL or file path')
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--json', 'print machine-readable results')
    .action(async (target: string, flags: TokenFlags & { header: string[]; json?: boolean }) => {
      const headers = withToken(parseHeaders(flags.header), flags)
      const storage = new FileUrlStorage()
      const entries = await storage.findAllUploads()
      const urlsOf = (entry: (typeof entries)[number]) => [
        ...(entry.parallelUploadUrls ?? []),
        ...(entry.uploadUrl ? [entry.uploadUrl] : []),
      ]
      let matching: typeof entries
      let urls: string[]
      if (isUrl(target)) {
        parseUploadUrl(target) // http(s) only: a usage error otherwise
        matching = entries.filter((entry) => urlsOf(entry).includes(target))
        urls = matching.length > 0 ? matching.flatMap(urlsOf) : [target]
      } else {
        const path = resolve(target)
        matching = entries.filter((entry) => entry.path === path)
        if (matching.length === 0) throw new CommandFailure(`No recorded upload for ${path}.`)
        urls = matching.flatMap(urlsOf)
      }
      // The SDK's termination (the one DELETE implementation): 404/410 comes back as 'not_found'.
      const terminated: string[] = []
      const gone: string[] = []
      // Each recorded upload is cancelled with the protocol it was made with (a bare URL: tus v1).
      const protocolOf = (url: string) => matching.find((entry) => urlsOf(entry).includes(url))?.protocol
      for (const url of urls) {
        const outcome = await terminate(url, headers, protocolOf(url)).catch((error: unknown) => {
          if (error instanceof TuskUploadError && error.status === 401) {
            const reason = error.serverMessage && refusalReason(error.serverMessage)
            throw new CommandFailure(tokenRefused('DELETE', url, reason, sendsAuthorization(headers)))
          }
          throw error
        })
        ;(outcome === 'terminated' ? terminated : gone).push(url)
      }
      for (const entry of matching) await storage.removeUpload(entry.urlStorageKey)
      // A URL named on the command line that the server does not know is a mistake worth exit 1;
      // a recorded upload that expired meanwhile is simply gone, as asked.
      if (isUrl(target) && terminated.length === 0)
        throw new CommandFailure(
          `No upload at ${target}: the server answered not found; nothing was terminated.`,
        )
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ terminated, alreadyGone: gone }, null, 2)}\n`)
        return
      }
      if (terminated.length > 0) process.stdout.write(`Terminated ${terminated.join(', ')}\n`)
      if (gone.length > 0) process.stdout.write(`Already gone on the server: ${gone.join(', ')}\n`)
    })
}
