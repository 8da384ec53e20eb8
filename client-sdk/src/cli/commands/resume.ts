import type { Command } from 'commander'
import { FileUrlStorage } from '../../node/file-url-storage.js'
import { nodePlatform } from '../../node/platform.js'
import { parsePositiveInt } from '../parse.js'
import { runUploads, type UploadJob } from '../run-uploads.js'
import { EXIT } from '../usage-error.js'
import { addTransferOptions, type TransferFlags, transferOptions } from './upload.js'

export function registerResume(program: Command, setExit: (code: number) => void): void {
  addTransferOptions(program.command('resume').description('resume every recorded unfinished upload')).action(
    async (flags: TransferFlags) => {
      const shared = transferOptions(flags)
      const entries = await new FileUrlStorage().findAllUploads()
      const jobs: UploadJob[] = []
      const seen = new Set<string>()
      let skipped = 0
      for (const entry of entries) {
        if (!entry.path || !entry.endpoint || !entry.fingerprint || seen.has(entry.fingerprint)) continue
        seen.add(entry.fingerprint)
        // Only the very same file (path, size, modification time) may continue its old upload.
        const current = await nodePlatform.prepare(entry.path, entry.endpoint, undefined).catch(() => null)
        if (current?.fingerprint !== entry.fingerprint) {
          process.stderr.write(
            `Skipping ${entry.path}: the file is missing or changed since its upload began.\n`,
          )
          skipped++
          continue
        }
        jobs.push({
          path: entry.path,
          // The protocol it was created with, unless --protocol says otherwise.
          options: {
            ...(entry.protocol ? { protocol: entry.protocol } : {}),
            ...shared,
            endpoint: entry.endpoint,
            metadata: entry.metadata,
          },
        })
      }
      if (jobs.length === 0) {
        if (flags.json) process.stdout.write(`${JSON.stringify({ results: [] })}\n`)
        else process.stdout.write('Nothing to resume.\n')
        setExit(skipped > 0 ? EXIT.failure : EXIT.ok)
        return
      }
      const code = await runUploads(jobs, {
        json: Boolean(flags.json),
        concurrency: parsePositiveInt('--jobs', flags.jobs),
      })
      setExit(code === EXIT.ok && skipped > 0 ? EXIT.failure : code)
    },
  )
}
